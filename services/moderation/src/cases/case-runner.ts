import type { CompiledRuleset } from '../ruleset/compiled-ruleset.js'
import { DEFAULT_LAYER } from '../ruleset/ruleset-files.js'
import type { LoadedCases, RuleCase } from '../ruleset/ruleset-parser.js'
import { defaultProfile, type ModerationProfile } from '../tenant/moderation-profile.js'
import { historyOfCase, inputOfCase } from './case-input.js'

/** A case whose outcome differs from what its file says. */
export interface CaseFailure {
  readonly file: string
  readonly rule: string
  /** `match`: the rule should have fired and did not; `noMatch`: the reverse. */
  readonly expectation: 'match' | 'noMatch'
  readonly index: number
  readonly text: string
  readonly note?: string
  /** Every rule that fired on the message. */
  readonly fired: readonly string[]
}

export interface CaseReport {
  readonly passed: number
  readonly failures: readonly CaseFailure[]
}

/**
 * The profile a layer's cases run with: the default profile for rules/default, else the tenant
 * whose overrides live in that directory (or a default profile pointing at it).
 */
export function profileForLayer(ruleset: CompiledRuleset, layer: string): ModerationProfile {
  if (layer === DEFAULT_LAYER) return defaultProfile('')
  const tenant = ruleset.profiles.all().find((p) => p.rulesetDir === layer)
  return tenant ?? { ...defaultProfile(layer), rulesetDir: layer }
}

/** Whether the rule fires on one case, and every rule that fired. */
export async function evaluateCase(ruleset: CompiledRuleset, cases: LoadedCases, testCase: RuleCase): Promise<{ fires: boolean; fired: string[] }> {
  const profile = profileForLayer(ruleset, cases.rule.layer)
  const input = inputOfCase(testCase, cases.rule.direction)
  const fired = await ruleset.firedRules(profile, cases.rule.direction, input, historyOfCase(testCase, input.at))
  const names = fired.map((r) => r.name)
  return { fires: names.includes(cases.rule.name), fired: names }
}

/** Runs every rule's cases (or those of the rules `select` keeps). */
export async function runRuleCases(
  ruleset: CompiledRuleset,
  select: (cases: LoadedCases) => boolean = () => true,
): Promise<CaseReport> {
  let passed = 0
  const failures: CaseFailure[] = []
  for (const cases of ruleset.content.cases.filter(select)) {
    for (const expectation of ['match', 'noMatch'] as const) {
      const list = cases[expectation]
      for (let index = 0; index < list.length; index++) {
        const testCase = list[index] as RuleCase
        const { fires, fired } = await evaluateCase(ruleset, cases, testCase)
        if (fires === (expectation === 'match')) {
          passed++
          continue
        }
        failures.push({
          file: cases.file,
          rule: cases.rule.name,
          expectation,
          index,
          text: testCase.text,
          ...(testCase.note ? { note: testCase.note } : {}),
          fired,
        })
      }
    }
  }
  return { passed, failures }
}
