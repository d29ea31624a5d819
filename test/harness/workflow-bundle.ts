import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
/** What the workflow bundle is built from: the workflows and what they import. */
const SOURCES = ['workflows/src', 'packages/contracts/src', 'packages/platform/src']

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : []
  })
}

let pending: Promise<string> | undefined

/**
 * A workflow bundle for worker processes (WORKFLOW_BUNDLE_PATH), built once per version of the
 * sources and kept in the temporary directory: every worker a test starts as a process would
 * otherwise run webpack at its start, seconds of CPU each on a machine the suite keeps busy.
 */
export async function workflowBundlePath(): Promise<string> {
  pending ??= (async () => {
    const hash = createHash('sha256')
    for (const file of SOURCES.flatMap((dir) => sourceFiles(join(root, dir))).sort()) hash.update(file).update(readFileSync(file))
    const dir = join(tmpdir(), 'banditore-workflow-bundles')
    const path = join(dir, `${hash.digest('hex').slice(0, 24)}.js`)
    if (existsSync(path)) return path
    mkdirSync(dir, { recursive: true })
    const { bundleWorkflows } = await import('@banditore/workflows')
    const { code } = await bundleWorkflows()
    // Written aside and renamed: a file running in parallel never reads half a bundle.
    const partial = `${path}.${process.pid}.partial`
    writeFileSync(partial, code)
    renameSync(partial, path)
    return path
  })()
  return await pending
}
