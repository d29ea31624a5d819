// The workflow bundle's entry: every workflow the worker runs is exported here.
export { replyWorkflow } from './reply.workflow.js'
export { massBroadcastWorkflow } from './broadcast.workflow.js'
export { emergencyAlertWorkflow } from './emergency.workflow.js'
export { staffNoticeWorkflow } from './staff-notice.workflow.js'
export { recurringOccurrenceWorkflow } from './recurring.workflow.js'
