import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const infraScript = fileURLToPath(new URL('../../scripts/infra.sh', import.meta.url))

/** The path of a binary that scripts/infra.sh installs (the same cache the README's commands use). */
export function binaryPath(name: 'temporal' | 'nats-server'): string {
  const path = execFileSync('bash', [infraScript, 'bin', name], { encoding: 'utf8' }).trim()
  if (!existsSync(path)) throw new Error(`${name} is not installed at ${path}: run scripts/infra.sh install`)
  return path
}
