import { MODERATION_CATEGORIES, ModerationActionSchema, ModerationCategorySchema, TenantIdSchema, type ModerationAction, type ModerationCategory } from '@banditore/contracts'
import Type, { type Static } from 'typebox'
import { historyOfCase, inputOfCase } from '../cases/case-input.js'
import type { CompiledRuleset } from '../ruleset/compiled-ruleset.js'
import type { RulesetIssue } from '../ruleset/ruleset-error.js'
import { RuleCaseSchema } from '../ruleset/rule-file-schema.js'
import { compileValidator } from '../ruleset/schema-issues.js'

/**
 * The labelled corpus (rules/corpus/*.jsonl): realistic citizen messages, clean and violating,
 * written apart from the rule cases, with the verdict a person expects. It measures the rules
 * instead of testing them one by one.
 */
export const CorpusEntrySchema = Type.Object(
  {
    ...RuleCaseSchema.properties,
    tenant: TenantIdSchema,
    action: ModerationActionSchema,
    categories: Type.Array(ModerationCategorySchema),
  },
  { additionalProperties: false },
)
export type CorpusEntry = Static<typeof CorpusEntrySchema>

const validator = compileValidator(CorpusEntrySchema)

/** Parses JSON lines; issues name the line (`/line/<n>`) and the field. */
export function parseCorpus(text: string, file: string): { entries: CorpusEntry[]; issues: RulesetIssue[] } {
  const entries: CorpusEntry[] = []
  const issues: RulesetIssue[] = []
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return
    const at = `/line/${index + 1}`
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (cause) {
      issues.push({ file, path: at, reason: `is not valid JSON: ${(cause as Error).message}` })
      return
    }
    const found = validator.issues(value, file, at)
    if (found.length > 0) issues.push(...found)
    else entries.push(value as CorpusEntry)
  })
  return { entries, issues }
}

export interface Score {
  readonly truePositives: number
  readonly falsePositives: number
  readonly falseNegatives: number
  /** null when nothing was predicted (precision) or nothing was expected (recall). */
  readonly precision: number | null
  readonly recall: number | null
}

export interface CorpusMistake {
  readonly entry: CorpusEntry
  readonly action: ModerationAction
  readonly categories: readonly ModerationCategory[]
  readonly rules: readonly string[]
}

export interface CorpusReport {
  readonly entries: number
  readonly clean: number
  readonly perCategory: ReadonlyMap<ModerationCategory, Score>
  /** Micro-average over every category label. */
  readonly overall: Score
  /** Violation or not (any action but allow), whatever the category. */
  readonly violation: Score
  /** Share of entries whose action is the expected one. */
  readonly actionAccuracy: number
  readonly mistakes: readonly CorpusMistake[]
}

function score(tp: number, fp: number, fn: number): Score {
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: tp + fp === 0 ? null : tp / (tp + fp),
    recall: tp + fn === 0 ? null : tp / (tp + fn),
  }
}

/** Classifies every entry with its tenant's rules and scores the outcome. */
export async function evaluateCorpus(ruleset: CompiledRuleset, entries: readonly CorpusEntry[]): Promise<CorpusReport> {
  const counts = new Map(MODERATION_CATEGORIES.map((c) => [c, { tp: 0, fp: 0, fn: 0 }]))
  const binary = { tp: 0, fp: 0, fn: 0 }
  let rightAction = 0
  const mistakes: CorpusMistake[] = []
  for (const entry of entries) {
    const input = inputOfCase(entry, 'inbound')
    const decision = await ruleset.moderate(entry.tenant, input, historyOfCase(entry, input.at))
    for (const category of MODERATION_CATEGORIES) {
      const expected = entry.categories.includes(category)
      const got = decision.categories.includes(category)
      const c = counts.get(category) as { tp: number; fp: number; fn: number }
      if (expected && got) c.tp++
      else if (got) c.fp++
      else if (expected) c.fn++
    }
    const expectedViolation = entry.action !== 'allow'
    const gotViolation = decision.action !== 'allow'
    if (expectedViolation && gotViolation) binary.tp++
    else if (gotViolation) binary.fp++
    else if (expectedViolation) binary.fn++
    const sameCategories =
      decision.categories.length === entry.categories.length && entry.categories.every((c) => decision.categories.includes(c))
    if (decision.action === entry.action) rightAction++
    if (decision.action !== entry.action || !sameCategories) {
      mistakes.push({ entry, action: decision.action, categories: decision.categories, rules: decision.rules })
    }
  }
  let tp = 0
  let fp = 0
  let fn = 0
  const perCategory = new Map<ModerationCategory, Score>()
  for (const [category, c] of counts) {
    perCategory.set(category, score(c.tp, c.fp, c.fn))
    tp += c.tp
    fp += c.fp
    fn += c.fn
  }
  return {
    entries: entries.length,
    clean: entries.filter((e) => e.action === 'allow').length,
    perCategory,
    overall: score(tp, fp, fn),
    violation: score(binary.tp, binary.fp, binary.fn),
    actionAccuracy: entries.length === 0 ? 1 : rightAction / entries.length,
    mistakes,
  }
}
