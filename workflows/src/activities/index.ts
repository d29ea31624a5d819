import { createReplyActivities, type ReplyActivityDeps } from './reply.activities.js'

export type ActivityDeps = ReplyActivityDeps

/** Every activity the worker registers, built from its dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createReplyActivities(deps),
  }
}
export { PermanentSendError, type OutboundSender } from './reply.activities.js'
