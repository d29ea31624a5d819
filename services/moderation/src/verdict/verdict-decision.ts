import type { ModerationAction, ModerationCategory, ModerationExplanation } from '@banditore/contracts'
import type { FiredRule } from '../ruleset/tenant-engine.js'

/** What the rules decided on one message, before it is wrapped into a verdict. */
export interface Decision {
  readonly action: ModerationAction
  readonly categories: readonly ModerationCategory[]
  /** The names of the rules that fired, most severe first. */
  readonly rules: readonly string[]
  readonly rulesetVersion: string
  /** Why each rule of `rules` fired, in the same order (CompiledRuleset.moderate fills it). */
  readonly explanations?: readonly ModerationExplanation[]
}

/** The ladder of actions: the verdict takes the highest step any rule reached. */
export const ACTION_SEVERITY: Readonly<Record<ModerationAction, number>> = {
  allow: 0,
  review: 1,
  delete: 2,
  block: 3,
  report: 4,
}

const severityOf = (type: string) => ACTION_SEVERITY[type as ModerationAction] ?? 0

/** Combines the rules that fired into one decision. */
export function decisionOf(fired: readonly FiredRule[], rulesetVersion: string): Decision {
  const ordered = [...fired].sort(
    (a, b) => severityOf(b.type) - severityOf(a.type) || b.priority - a.priority || a.name.localeCompare(b.name),
  )
  let action: ModerationAction = 'allow'
  for (const rule of ordered) {
    if (severityOf(rule.type) > ACTION_SEVERITY[action]) action = rule.type as ModerationAction
  }
  const categories = [...new Set(ordered.flatMap((r) => (r.category ? [r.category] : [])))].sort()
  return { action, categories, rules: ordered.map((r) => r.name), rulesetVersion }
}

/** True when the decision counts against the sender (delete, block, report). */
export function isViolation(action: ModerationAction): boolean {
  return ACTION_SEVERITY[action] >= ACTION_SEVERITY.delete
}
