import { runRuleCases } from '../cases/case-runner.js'
import { loadRuleset, type SourceOptions } from './cli-context.js'

/** `rules test`: runs every rule's cases; lists each case that fails; exit 1. */
export async function testCommand(options: SourceOptions & { rule?: string; tenant?: string }): Promise<void> {
  const loaded = await loadRuleset(options)
  if (!loaded) return
  const report = await runRuleCases(
    loaded.ruleset,
    (c) => (!options.rule || c.rule.name === options.rule) && (!options.tenant || c.rule.layer === options.tenant),
  )
  for (const f of report.failures) {
    const should = f.expectation === 'match' ? 'should fire but did not' : 'should not fire but did'
    console.log(`FAIL ${f.file} /${f.expectation}/${f.index}: ${f.rule} ${should} on ${JSON.stringify(f.text)}`)
    console.log(`     rules that fired: ${f.fired.length > 0 ? f.fired.join(', ') : 'none'}${f.note ? `; note: ${f.note}` : ''}`)
  }
  console.log(`${report.passed} passed, ${report.failures.length} failed (ruleset ${loaded.ruleset.version})`)
  if (report.failures.length > 0) process.exitCode = 1
}
