import {
  ModerationPrivacyExportReplyContract,
  PrivacyExportRequestContract,
  PrivacySubjects,
  type ModerationPrivacyExportReply,
} from '@banditore/contracts'
import type { Logger } from '@banditore/platform'
import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import type { ReviewQueue } from '../review/review-queue.js'
import type { SenderHistoryStore } from './sender-history-store.js'

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * Answers `moderation.privacy.export` (asked by subscriptions for a privacy export) in the queue
 * group `moderation`: what this service keeps of a sender, the recent normalized texts and
 * violation times it decides with, and the sender's review items with their texts. Logged
 * without the number.
 */
export function servePrivacyExports(options: { nc: NatsConnection; senders: SenderHistoryStore; reviews?: ReviewQueue; logger: Logger }): Subscription {
  const { nc, senders, reviews, logger } = options
  const failure = (code: string, error: unknown): ModerationPrivacyExportReply => ({
    version: 1,
    ok: false,
    error: { code, message: error instanceof Error ? error.message : String(error) },
  })
  const answer = async (data: Uint8Array): Promise<ModerationPrivacyExportReply> => {
    let request
    try {
      request = PrivacyExportRequestContract.decode(data)
    } catch (error) {
      return failure('BAD_REQUEST', error)
    }
    try {
      const history = await senders.exportOf(request.tenant, request.phone)
      const items = reviews ? await reviews.itemsOf(request.tenant, request.phone) : []
      logger.info({ tenant: request.tenant, reviewItems: items.length, history: history !== undefined }, 'privacy export answered')
      return {
        version: 1,
        ok: true,
        data: {
          senderHistory: history
            ? { recentMessages: history.recentMessages.map((m) => ({ at: iso(m.at), text: m.text })), violations: history.violations.map(iso) }
            : null,
          reviewItems: items.map((item) => ({ ...item })),
        },
      }
    } catch (error) {
      logger.warn({ err: error, tenant: request.tenant }, 'privacy export not read')
      return failure('UNAVAILABLE', error)
    }
  }
  return nc.subscribe(PrivacySubjects.moderationExport, {
    queue: 'moderation',
    callback: (error, msg) => {
      if (error) return logger.warn({ err: error }, 'privacy export subscription failed')
      void answer(msg.data).then((reply) => msg.respond(ModerationPrivacyExportReplyContract.encode(reply)))
    },
  })
}
