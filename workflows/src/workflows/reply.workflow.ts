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
 * Delivers one message to one citizen (a confirmation, an auto-reply, a desk answer). Replies
 * now go out through the worker's reply sender (feeds/reply-sender.ts), without a workflow each;
 * this stays registered so reply workflows started by an earlier worker version finish.
 */
export async function replyWorkflow(input: ReplyInput): Promise<ReplyResult> {
  if (input.text.trim() === '') throw ApplicationFailure.nonRetryable('a reply needs text', 'EmptyReply')
  return await sendReply(input)
}
