import { ApplicationFailure, proxyActivities } from '@temporalio/workflow'
import type { createReplyActivities } from '../activities/reply.activities.js'
import type { ReplyInput, ReplyResult } from './reply-types.js'

const { sendReply } = proxyActivities<ReturnType<typeof createReplyActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 20,
    nonRetryableErrorTypes: ['PermanentSendError'],
  },
})

/**
 * Delivers one message to one citizen (a confirmation, an auto-reply, a desk answer). The
 * workflow id is the reply's id, so a reply requested twice is sent once.
 */
export async function replyWorkflow(input: ReplyInput): Promise<ReplyResult> {
  if (input.text.trim() === '') throw ApplicationFailure.nonRetryable('a reply needs text', 'EmptyReply')
  return await sendReply(input)
}
