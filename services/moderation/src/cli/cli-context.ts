import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadTenantDirectory } from '@banditore/platform'
import { compileRuleset, type CompiledRuleset } from '../ruleset/compiled-ruleset.js'
import { formatIssue, RulesetInvalidError } from '../ruleset/ruleset-error.js'
import { readRulesetDirectory, type RulesetFiles } from '../ruleset/ruleset-files.js'
import { ProfileDirectory } from '../tenant/moderation-profile.js'

/** rules/ and tenants/ at the repository root, wherever the CLI is started from. */
export const DEFAULT_RULES_DIR = fileURLToPath(new URL('../../../../rules', import.meta.url))
export const DEFAULT_TENANTS_DIR = fileURLToPath(new URL('../../../../tenants', import.meta.url))

/**
 * A path as the user typed it: relative to where they ran pnpm (pnpm runs package scripts in the
 * package directory and passes the original one as INIT_CWD).
 */
export function userPath(path: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), path)
}

export interface SourceOptions {
  readonly rules: string
  readonly tenants: string
}

/** The tenants' moderation profiles; without a tenants directory, every tenant is the default. */
export async function loadProfiles(dir: string): Promise<ProfileDirectory> {
  if (!existsSync(dir)) {
    console.error(`note: no tenant configuration at ${dir}; every tenant uses the default profile (Italian, no own domains)`)
    return new ProfileDirectory([])
  }
  return ProfileDirectory.fromTenants((await loadTenantDirectory(dir)).all())
}

/** Prints every issue of a refused ruleset and sets exit code 1. */
export function reportInvalid(error: RulesetInvalidError): void {
  for (const issue of error.issues) console.log(formatIssue(issue))
  console.log(`${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}: the ruleset is refused`)
  process.exitCode = 1
}

/** Reads and compiles the ruleset, or reports why not (exit code 1) and returns undefined. */
export async function loadRuleset(options: SourceOptions): Promise<{ ruleset: CompiledRuleset; files: RulesetFiles } | undefined> {
  const profiles = await loadProfiles(options.tenants)
  const files = await readRulesetDirectory(options.rules)
  try {
    return { ruleset: await compileRuleset(files, profiles), files }
  } catch (error) {
    if (!(error instanceof RulesetInvalidError)) throw error
    reportInvalid(error)
    return undefined
  }
}

/** Reads stdin as JSON lines, calling `each` in order; blank lines are skipped. */
export async function forEachInputLine(each: (value: unknown, line: number) => Promise<void>): Promise<void> {
  const { createInterface } = await import('node:readline')
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
  let number = 0
  for await (const line of lines) {
    number++
    if (line.trim() === '') continue
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (cause) {
      console.error(`line ${number}: not JSON (${(cause as Error).message})`)
      process.exitCode = 1
      continue
    }
    await each(value, number)
  }
}
