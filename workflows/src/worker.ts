import { fileURLToPath } from 'node:url'
import type { Logger } from '@banditore/platform'
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker'
import { createActivities, type ActivityDeps } from './activities/index.js'

// Under tsx the sources run as .ts; built, as .js.
const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js'
export const workflowsPath = fileURLToPath(new URL(`./workflows/index.${extension}`, import.meta.url))

/** Bundles the workflow code once (webpack; a few seconds). Tests share one bundle. */
export async function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return await bundleWorkflowCode({
    workflowsPath,
    webpackConfigHook: (config) => {
      // Workspace packages resolve to their TypeScript sources, as everywhere else.
      config.resolve = { ...config.resolve, conditionNames: ['@banditore/source', '...'] }
      return config
    },
  })
}

export interface WorkerOptions {
  connection: NativeConnection
  namespace: string
  taskQueue: string
  deps: ActivityDeps
  /** A prebuilt bundle; built on the spot when absent. */
  bundle?: WorkflowBundleWithSourceMap
  logger: Logger
}

export async function createWorker(options: WorkerOptions): Promise<Worker> {
  const bundle = options.bundle ?? (await bundleWorkflows())
  return await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: bundle,
    activities: createActivities(options.deps),
    // Bounded so one worker on two cores never starves its own heartbeats.
    maxConcurrentActivityTaskExecutions: 64,
    maxConcurrentWorkflowTaskExecutions: 32,
    shutdownGraceTime: '8 seconds',
  })
}

export { NativeConnection }
