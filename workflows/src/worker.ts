import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Logger } from '@banditore/platform'
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleOption, type WorkflowBundleWithSourceMap } from '@temporalio/worker'
import { createActivities, type ActivityDeps } from './activities/index.js'

// Under tsx the sources run as .ts; built, as .js.
const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js'
export const workflowsPath = fileURLToPath(new URL(`./workflows/index.${extension}`, import.meta.url))
/** Where `pnpm build` writes the bundle (scripts/build-workflow-bundle.ts): workflows/dist. */
export const prebuiltBundlePath = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url))

/** Bundles the workflow code from its sources (webpack; a few seconds). Tests share one bundle. */
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

/**
 * The bundle the worker runs: the one built ahead of time when the worker runs compiled (a
 * production image), else bundled now from the sources (dev, tests). From sources the prebuilt
 * file is never used: it could be older than the code beside it. `bundlePath` (WORKFLOW_BUNDLE_PATH)
 * names a bundle built from the same sources by whoever starts the worker: a test run builds one
 * for all its worker processes.
 */
export async function loadWorkflowBundle(logger?: Logger, bundlePath?: string): Promise<WorkflowBundleOption> {
  if (bundlePath) {
    if (!existsSync(bundlePath)) throw new Error(`WORKFLOW_BUNDLE_PATH names ${bundlePath}, which does not exist`)
    logger?.info({ path: bundlePath }, 'workflow bundle given by WORKFLOW_BUNDLE_PATH')
    return { codePath: bundlePath }
  }
  if (extension === 'js' && existsSync(prebuiltBundlePath)) {
    logger?.info({ path: prebuiltBundlePath }, 'workflow bundle built ahead of time')
    return { codePath: prebuiltBundlePath }
  }
  return await bundleWorkflows()
}

export interface WorkerOptions {
  connection: NativeConnection
  namespace: string
  taskQueue: string
  deps: ActivityDeps
  /** A prebuilt bundle; built on the spot when absent. */
  bundle?: WorkflowBundleOption
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
