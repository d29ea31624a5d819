import type { Logger } from '@banditore/platform'
import { ApplicationFailure } from '@temporalio/activity'
import type { ReplyInput, ReplyResult } from '../workflows/reply-types.js'

/** Sends one message through the tenant's provider. Implemented over the provider adapters. */
export interface SendHooks {
  /** Called each time the number's rate limit grants the send its slot: the request leaves now. */
  onSlot?: () => void
}

export interface OutboundSender {
  send(message: ReplyInput, hooks?: SendHooks): Promise<{ providerMessageId: string }>
}

/** A send the provider will never accept (invalid number, outside the 24-hour window, ...). */
export class PermanentSendError extends Error {
  readonly code: string
  constructor(message: string, options: { code: string; cause?: unknown }) {
    super(message, { cause: options.cause })
    this.name = 'PermanentSendError'
    this.code = options.code
  }
}

export interface ReplyActivityDeps {
  sender: OutboundSender
  logger: Logger
}

export function createReplyActivities({ sender, logger }: ReplyActivityDeps) {
  return {
    async sendReply(input: ReplyInput): Promise<ReplyResult> {
      try {
        const { providerMessageId } = await sender.send(input)
        logger.info({ tenant: input.tenant, replyId: input.replyId, channel: input.channel }, 'reply accepted by provider')
        return { providerMessageId, acceptedAt: new Date().toISOString() }
      } catch (error) {
        if (error instanceof PermanentSendError) {
          throw ApplicationFailure.nonRetryable(error.message, 'PermanentSendError', { code: error.code })
        }
        throw error
      }
    },
  }
}
