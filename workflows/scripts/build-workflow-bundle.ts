import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { bundleWorkflows, prebuiltBundlePath } from '../src/worker.js'

// `pnpm --filter @banditore/workflows build` runs this after tsc: the workflow bundle, written
// once at build time, so a production worker starts without webpack (src/worker.ts loads it).
const bundle = await bundleWorkflows()
await mkdir(dirname(prebuiltBundlePath), { recursive: true })
await writeFile(prebuiltBundlePath, bundle.code)
process.stdout.write(`${`workflow bundle written to ${prebuiltBundlePath} (${Math.round(bundle.code.length / 1024)} KiB)`}\n`)
