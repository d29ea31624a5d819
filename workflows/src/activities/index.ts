import { createBroadcastActivities, type BroadcastActivityDeps } from './broadcast.activities.js'
import { createEmergencyActivities } from './emergency.activities.js'
import { createRecurringActivities } from './recurring.activities.js'
import { createReplyActivities, type ReplyActivityDeps } from './reply.activities.js'

export type ActivityDeps = ReplyActivityDeps & {
  /** The broadcast activities' connections; without them the worker runs replies only. */
  broadcast?: BroadcastActivityDeps
}

/** Every activity the worker registers, built from its dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createReplyActivities(deps),
    ...(deps.broadcast ? createBroadcastActivities(deps.broadcast) : {}),
    ...(deps.broadcast ? createEmergencyActivities(deps.broadcast) : {}),
    ...(deps.broadcast ? createRecurringActivities(deps.broadcast) : {}),
  }
}
export { PermanentSendError, type OutboundSender } from './reply.activities.js'
export { createBroadcastActivities, DEFAULT_BROADCAST_SETTINGS, type BroadcastActivityDeps } from './broadcast.activities.js'
export { createEmergencyActivities, type ChannelCounts, type TimelineStep } from './emergency.activities.js'
