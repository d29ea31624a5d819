import type { Static } from 'typebox'
import { TenantIdSchema } from '@banditore/contracts'
import { Compile } from 'typebox/compile'
import { LexiconLibrary, type LexiconDocument } from '../lexicon/lexicon-library.js'
import { LexiconTermError, parseTerm } from '../lexicon/lexicon-matcher.js'
import { RulesetInvalidError, type RulesetIssue } from './ruleset-error.js'
import { DEFAULT_LAYER, roleOf, rulesetVersionOf, type RulesetFiles } from './ruleset-files.js'
import { CasesFileSchema, LexiconFileSchema, type RuleCaseSchema } from './rule-file-schema.js'
import { validateRuleFile, type RuleDefinition, type RuleDirection } from './rule-file-validator.js'
import { compileValidator } from './schema-issues.js'

export type RuleCase = Static<typeof RuleCaseSchema>

/** A rule as loaded: its definition and where it comes from. */
export interface LoadedRule extends RuleDefinition {
  readonly file: string
  /** DEFAULT_LAYER for rules/default, else the directory under rules/tenants/. */
  readonly layer: string
  readonly direction: RuleDirection
}

export interface LoadedCases {
  readonly file: string
  readonly rule: LoadedRule
  readonly match: readonly RuleCase[]
  readonly noMatch: readonly RuleCase[]
}

/** Every file of a ruleset, validated: what the engines are built from. */
export interface RulesetContent {
  readonly version: string
  readonly rules: readonly LoadedRule[]
  readonly cases: readonly LoadedCases[]
  readonly lexicons: LexiconLibrary
  /** The tenant directories under rules/tenants/ that hold rules. */
  readonly layers: readonly string[]
}

const casesValidator = compileValidator(CasesFileSchema)
const lexiconValidator = compileValidator(LexiconFileSchema)
const tenantId = Compile(TenantIdSchema)

function parseJson(path: string, text: string, issues: RulesetIssue[]): unknown {
  try {
    return JSON.parse(text)
  } catch (cause) {
    issues.push({ file: path, path: '', reason: `is not valid JSON: ${(cause as Error).message}` })
    return undefined
  }
}

function loadLexicon(path: string, document: unknown, language: string, name: string, issues: RulesetIssue[]): LexiconDocument | undefined {
  const found = lexiconValidator.issues(document, path)
  if (found.length > 0) {
    issues.push(...found)
    return undefined
  }
  const lexicon = document as LexiconDocument
  if (lexicon.name !== name) issues.push({ file: path, path: '/name', reason: `must be "${name}", the file's name` })
  if (lexicon.language !== language) issues.push({ file: path, path: '/language', reason: `must be "${language}", the directory's name` })
  lexicon.terms.forEach((term, i) => {
    try {
      parseTerm(term)
    } catch (error) {
      if (!(error instanceof LexiconTermError)) throw error
      issues.push({ file: path, path: `/terms/${i}`, reason: error.reason })
    }
  })
  return lexicon
}

/** Validates every file of a ruleset; throws RulesetInvalidError listing every issue. */
export function parseRuleset(files: RulesetFiles): RulesetContent {
  const issues: RulesetIssue[] = []
  const documents = new Map<string, unknown>()
  for (const [path, text] of files) {
    const document = parseJson(path, text, issues)
    if (document !== undefined) documents.set(path, document)
  }

  const lexiconDocuments: LexiconDocument[] = []
  for (const [path, document] of documents) {
    const role = roleOf(path)
    if (role.role !== 'lexicon') continue
    const lexicon = loadLexicon(path, document, role.language, role.name, issues)
    if (lexicon) lexiconDocuments.push(lexicon)
  }
  const lexicons = new LexiconLibrary(lexiconDocuments)
  const lexiconNames = [...new Set(lexiconDocuments.map((d) => d.name))].sort()

  const rules = new Map<string, LoadedRule>()
  const casesByRule = new Map<string, { path: string; document: unknown }>()
  const layers = new Set<string>()
  for (const [path, document] of documents) {
    const role = roleOf(path)
    if (role.role === 'unknown') {
      issues.push({ file: path, path: '', reason: 'is not a rule, cases, lexicon or schema file (see rules/README.md for the layout)' })
      continue
    }
    if (role.role !== 'rule' && role.role !== 'cases') continue
    if (role.layer !== DEFAULT_LAYER && !tenantId.Check(role.layer)) {
      issues.push({ file: path, path: '', reason: `"${role.layer}" is not a tenant id (lower case letters, digits and dashes)` })
      continue
    }
    const key = `${role.layer}/${role.direction}/${role.name}`
    if (role.role === 'cases') {
      casesByRule.set(key, { path, document })
      continue
    }
    const { rule, issues: found } = validateRuleFile(document, {
      file: path,
      expectedName: role.name,
      direction: role.direction,
      lexiconExists: (name) => lexicons.languagesOf(name).length > 0,
      lexiconNames,
    })
    issues.push(...found)
    if (rule) {
      rules.set(key, { ...rule, file: path, layer: role.layer, direction: role.direction })
      if (role.layer !== DEFAULT_LAYER) layers.add(role.layer)
    }
  }

  const cases: LoadedCases[] = []
  for (const [key, { path, document }] of casesByRule) {
    const rule = rules.get(key)
    const ruleFile = path.replace(/\.cases\.json$/, '.json')
    if (!rule) {
      if (!files.has(ruleFile)) issues.push({ file: path, path: '', reason: `has no rule: ${ruleFile} does not exist` })
      continue
    }
    const found = casesValidator.issues(document, path)
    issues.push(...found)
    if (found.length > 0) continue
    const parsed = document as { rule: string; match: RuleCase[]; noMatch: RuleCase[] }
    if (parsed.rule !== rule.name) issues.push({ file: path, path: '/rule', reason: `must be "${rule.name}", the rule beside it` })
    cases.push({ file: path, rule, match: parsed.match, noMatch: parsed.noMatch })
  }
  for (const [key, rule] of rules) {
    if (!casesByRule.has(key)) {
      issues.push({ file: rule.file, path: '', reason: `has no cases: add ${rule.file.replace(/\.json$/, '.cases.json')} with messages that must and must not match` })
    }
  }

  if (issues.length > 0) throw new RulesetInvalidError(issues)
  return { version: rulesetVersionOf(files), rules: [...rules.values()], cases, lexicons, layers: [...layers].sort() }
}

/** The rules in force for a tenant layer: the defaults, each replaced by the tenant's rule of the same name, plus the tenant's own. */
export function effectiveRules(content: RulesetContent, layer: string, direction: RuleDirection): LoadedRule[] {
  const byName = new Map<string, LoadedRule>()
  for (const rule of content.rules) {
    if (rule.direction === direction && rule.layer === DEFAULT_LAYER) byName.set(rule.name, rule)
  }
  if (layer !== DEFAULT_LAYER) {
    for (const rule of content.rules) {
      if (rule.direction === direction && rule.layer === layer) byName.set(rule.name, rule)
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name))
}
