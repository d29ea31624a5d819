import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ModerationAction, ModerationCategory, ModerationExplanation } from '@banditore/contracts'
import { runRuleCases, type CaseFailure } from '../cases/case-runner.js'
import { historyOfCase, inputOfCase } from '../cases/case-input.js'
import { splitOfFile } from '../corpus/corpus-builder.js'
import { evaluateCorpus, parseCorpus, type CorpusEntry, type Score } from '../corpus/corpus-evaluator.js'
import { compileRuleset, type CompiledRuleset } from '../ruleset/compiled-ruleset.js'
import { RulesetInvalidError, type RulesetIssue } from '../ruleset/ruleset-error.js'
import { DEFAULT_LAYER, roleOf } from '../ruleset/ruleset-files.js'
import { effectiveRules, type LoadedRule, type RuleCase } from '../ruleset/ruleset-parser.js'
import type { RuleDirection } from '../ruleset/rule-file-validator.js'

/** One rule in force for a tenant, as the bench lists it. */
export interface PolicyRuleSummary {
  readonly name: string
  readonly direction: RuleDirection
  /** `default` for the shared rules, else the tenant's directory under rules/tenants/. */
  readonly layer: string
  readonly file: string
  readonly description: string
  readonly category: ModerationCategory | null
  readonly action: string
  readonly priority: number
  /** The tenant's rule replaces a shared one of the same name. */
  readonly overridesDefault: boolean
  readonly cases: { readonly match: number; readonly noMatch: number }
}

export interface PolicyRuleDetail extends PolicyRuleSummary {
  /** The rule file's text, as stored. */
  readonly text: string
  readonly casesFile: string
  /** The cases file's text, as stored (undefined when it does not exist). */
  readonly casesText?: string
  /** Where the tenant's own version of this rule lives (the file itself for a tenant's rule). */
  readonly tenantFile: string
}

export interface TryResult {
  readonly action: ModerationAction
  readonly categories: readonly ModerationCategory[]
  readonly rules: readonly string[]
  readonly explanations: readonly ModerationExplanation[]
  readonly rulesetVersion: string
}

export interface CorpusChange {
  readonly tenant: string
  readonly text: string
  readonly expected: { readonly action: ModerationAction; readonly categories: readonly ModerationCategory[] }
  readonly before: { readonly action: ModerationAction; readonly categories: readonly ModerationCategory[]; readonly rules: readonly string[] }
  readonly after: { readonly action: ModerationAction; readonly categories: readonly ModerationCategory[]; readonly rules: readonly string[] }
}

export interface CorpusEffect {
  readonly split: 'dev'
  readonly entries: number
  readonly before: { readonly overall: Score; readonly violation: Score; readonly actionAccuracy: number }
  readonly after: { readonly overall: Score; readonly violation: Score; readonly actionAccuracy: number }
  readonly changes: readonly CorpusChange[]
}

export type CheckResult =
  | { readonly valid: false; readonly issues: readonly RulesetIssue[] }
  | {
      readonly valid: true
      readonly version: string
      readonly cases: { readonly passed: number; readonly failures: readonly CaseFailure[] }
      readonly corpus?: CorpusEffect
    }

const TITLES = { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 422: 'Unprocessable Content' } as const

/**
 * A request the bench refuses, as problem+json: a bad request (400), an unknown tenant or rule
 * (404), a publish that lost a race or has nothing to publish (409), a refused ruleset (422, with
 * its issues or failing cases in `errors`).
 */
export class PolicyRequestError extends Error {
  /** What the problem+json carries as `errors` (the platform's error handler reads it). */
  readonly validation?: unknown
  constructor(
    readonly statusCode: keyof typeof TITLES,
    readonly code: string,
    message: string,
    errors?: unknown,
  ) {
    super(message)
    this.name = TITLES[statusCode]
    if (errors !== undefined) this.validation = errors
  }
}

const layerName = (layer: string) => (layer === DEFAULT_LAYER ? 'default' : layer)
export const casesFileOf = (file: string) => file.replace(/\.json$/, '.cases.json')

function summaryOf(ruleset: CompiledRuleset, rule: LoadedRule): PolicyRuleSummary {
  const cases = ruleset.content.cases.find((c) => c.rule.file === rule.file)
  return {
    name: rule.name,
    direction: rule.direction,
    layer: layerName(rule.layer),
    file: rule.file,
    description: rule.description,
    category: rule.event.params?.category ?? null,
    action: rule.event.type,
    priority: rule.priority,
    overridesDefault:
      rule.layer !== DEFAULT_LAYER && ruleset.content.rules.some((r) => r.layer === DEFAULT_LAYER && r.direction === rule.direction && r.name === rule.name),
    cases: { match: cases?.match.length ?? 0, noMatch: cases?.noMatch.length ?? 0 },
  }
}

/** The rules in force for a tenant (shared defaults with its overrides), inbound then outbound. */
export function listRules(ruleset: CompiledRuleset, tenant: string): PolicyRuleSummary[] {
  const profile = ruleset.profiles.get(tenant)
  return (['inbound', 'outbound'] as const).flatMap((direction) =>
    effectiveRules(ruleset.content, profile.rulesetDir, direction).map((rule) => summaryOf(ruleset, rule)),
  )
}

/** One rule in force for a tenant, with its file and cases as text. */
export function ruleDetail(ruleset: CompiledRuleset, tenant: string, name: string, direction?: RuleDirection): PolicyRuleDetail {
  const profile = ruleset.profiles.get(tenant)
  const directions = direction ? [direction] : (['inbound', 'outbound'] as const)
  for (const d of directions) {
    const rule = effectiveRules(ruleset.content, profile.rulesetDir, d).find((r) => r.name === name)
    if (!rule) continue
    const casesFile = casesFileOf(rule.file)
    const casesText = ruleset.files.get(casesFile)
    return {
      ...summaryOf(ruleset, rule),
      text: ruleset.files.get(rule.file) ?? '',
      casesFile,
      tenantFile: `tenants/${profile.rulesetDir}/${rule.direction}/${rule.name}.json`,
      ...(casesText !== undefined ? { casesText } : {}),
    }
  }
  throw new PolicyRequestError(404, 'RULE_UNKNOWN', `Nessuna regola "${name}" in vigore per il comune ${tenant}.`)
}

/** The verdict on one message by the rules in force, as a first message (no sender history). */
export async function tryMessage(
  ruleset: CompiledRuleset,
  tenant: string,
  message: Pick<RuleCase, 'text' | 'channel' | 'sentAt'>,
): Promise<TryResult> {
  const input = inputOfCase(message, 'inbound')
  const decision = await ruleset.moderate(tenant, input, { recentMessages: [], pastViolations: 0 })
  return {
    action: decision.action,
    categories: decision.categories,
    rules: decision.rules,
    explanations: decision.explanations ?? [],
    rulesetVersion: decision.rulesetVersion,
  }
}

export const asText = (value: unknown) => (typeof value === 'string' ? value : `${JSON.stringify(value, null, 2)}\n`)

/** Reads the dev split of the labelled corpus (rules/corpus/*.dev.jsonl); empty when absent. */
export async function readDevCorpus(rulesDir: string): Promise<CorpusEntry[]> {
  const dir = join(rulesDir, 'corpus')
  const names = await readdir(dir).catch(() => [] as string[])
  const entries: CorpusEntry[] = []
  for (const name of names.filter((f) => f.endsWith('.jsonl') && splitOfFile(f) === 'dev').sort()) {
    entries.push(...parseCorpus(await readFile(join(dir, name), 'utf8'), name).entries)
  }
  return entries
}

async function corpusEffect(before: CompiledRuleset, after: CompiledRuleset, layer: string, corpus: readonly CorpusEntry[]): Promise<CorpusEffect> {
  // Only the messages of the tenants the edited layer decides for.
  const entries = corpus.filter((e) => layer === DEFAULT_LAYER || after.profiles.get(e.tenant).rulesetDir === layer)
  const changes: CorpusChange[] = []
  for (const entry of entries) {
    const input = inputOfCase(entry, 'inbound')
    const history = historyOfCase(entry, input.at)
    const was = await before.moderate(entry.tenant, input, history)
    const now = await after.moderate(entry.tenant, input, history)
    if (was.action === now.action && was.categories.join() === now.categories.join() && was.rules.join() === now.rules.join()) continue
    changes.push({
      tenant: entry.tenant,
      text: entry.text,
      expected: { action: entry.action, categories: entry.categories },
      before: { action: was.action, categories: was.categories, rules: was.rules },
      after: { action: now.action, categories: now.categories, rules: now.rules },
    })
  }
  const score = async (ruleset: CompiledRuleset) => {
    const report = await evaluateCorpus(ruleset, entries)
    return { overall: report.overall, violation: report.violation, actionAccuracy: report.actionAccuracy }
  }
  return { split: 'dev', entries: entries.length, before: await score(before), after: await score(after), changes }
}

/**
 * Validates an edited rule file (and its cases) against the ruleset in force with the edit
 * applied, and runs the edited rule's cases, without publishing anything. A refused ruleset
 * names each problem's file, JSON path and reason.
 */
export async function checkEdit(
  current: CompiledRuleset,
  edit: { path: string; rule: unknown; cases?: unknown },
  options: { corpus?: readonly CorpusEntry[] } = {},
): Promise<CheckResult> {
  const role = roleOf(edit.path)
  if (role.role !== 'rule') {
    throw new PolicyRequestError(400, 'NOT_A_RULE_FILE', `${edit.path} non è il file di una regola (default/<inbound|outbound>/<nome>.json o tenants/<comune>/<inbound|outbound>/<nome>.json).`)
  }
  const files = new Map(current.files)
  files.set(edit.path, asText(edit.rule))
  const casesFile = casesFileOf(edit.path)
  if (edit.cases !== undefined) files.set(casesFile, asText(edit.cases))
  let next: CompiledRuleset
  try {
    next = await compileRuleset(files, current.profiles)
  } catch (error) {
    if (!(error instanceof RulesetInvalidError)) throw error
    return { valid: false, issues: error.issues }
  }
  const cases = await runRuleCases(next, (c) => c.file === casesFile)
  return {
    valid: true,
    version: next.version,
    cases,
    ...(options.corpus ? { corpus: await corpusEffect(current, next, role.layer, options.corpus) } : {}),
  }
}
