// The worker's public surface: what services and tests need to start and talk to its workflows.
export { createActivities, PermanentSendError, type ActivityDeps, type OutboundSender } from './activities/index.js'
export { createProviderReplySender, replyCorrelation, type ProviderReplySenderDeps } from './activities/provider-reply-sender.js'
export { loadConfig, WorkerConfigSchema, type WorkerConfig } from './config.js'
export { replyWorkflowId, startReplyDispatch, type ReplyDispatchOptions } from './reply-dispatch.js'
export type { ReplyInput, ReplyResult } from './reply-types.js'
export { bundleWorkflows, createWorker, workflowsPath, type WorkerOptions } from './worker.js'
export * from './broadcast-surface.js'
