import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generatedSchemaFiles } from '../ruleset/rule-file-schema.js'
import { formatIssue, type RulesetIssue } from '../ruleset/ruleset-error.js'
import { loadRuleset, type SourceOptions } from './cli-context.js'

/** The committed schemas that differ from what the code generates. */
export async function staleSchemas(rulesDir: string): Promise<RulesetIssue[]> {
  const issues: RulesetIssue[] = []
  for (const [name, expected] of generatedSchemaFiles()) {
    const actual = await readFile(join(rulesDir, name), 'utf8').catch(() => undefined)
    if (actual !== expected) {
      issues.push({
        file: name,
        path: '',
        reason: `${actual === undefined ? 'is missing' : 'is stale'}: run pnpm --filter @banditore/moderation schema:generate`,
      })
    }
  }
  return issues
}

/** `rules check`: validates every file; each problem as `file /json/path: reason`; exit 1. */
export async function checkCommand(options: SourceOptions): Promise<void> {
  const stale = await staleSchemas(options.rules)
  for (const issue of stale) console.log(formatIssue(issue))
  const loaded = await loadRuleset(options)
  if (stale.length > 0) process.exitCode = 1
  if (!loaded) return
  const { content, version } = loaded.ruleset
  const caseCount = content.cases.reduce((n, c) => n + c.match.length + c.noMatch.length, 0)
  if (stale.length === 0) {
    console.log(`ok: ${content.rules.length} rules, ${caseCount} cases, ruleset ${version}`)
  }
}
