import type { ModerationCategory } from '@banditore/contracts'
import { ESCALATION_PRIORITY_LIMIT, FACTS, isFactName, type FactName } from '../facts/fact-catalog.js'
import { PATTERN_FLAGS, readLexiconReference, readNearReference, type NearReference } from '../operators/custom-operators.js'
import { isOperatorName, OPERATOR_NAMES, OPERATORS, type OperatorName } from '../operators/operator-catalog.js'
import type { RulesetIssue } from './ruleset-error.js'
import {
  InboundEventSchema,
  LEAF_VARIANTS,
  OutboundEventSchema,
  RuleFileSchema,
  RuleHeaderSchema,
  type LeafVariant,
} from './rule-file-schema.js'
import { compileValidator } from './schema-issues.js'

export type RuleDirection = 'inbound' | 'outbound'
export type EventType = 'review' | 'delete' | 'block' | 'report' | 'flag'

/** A json-rules-engine condition as the rule files write it. */
export type ConditionNode =
  | { all: ConditionNode[] }
  | { any: ConditionNode[] }
  | { not: ConditionNode }
  | { fact: FactName; operator: OperatorName; value: unknown }

/** A validated rule file. */
export interface RuleDefinition {
  readonly name: string
  readonly description: string
  readonly priority: number
  readonly conditions: ConditionNode
  readonly event: { type: EventType; params?: { category?: ModerationCategory } }
  /** It tests messageViolations: it runs after the other rules and may omit a category. */
  readonly escalation: boolean
  /** The lexicons its conditions name. */
  readonly lexicons: readonly string[]
}

const header = compileValidator(RuleHeaderSchema)
const whole = compileValidator(RuleFileSchema)
const events = { inbound: compileValidator(InboundEventSchema), outbound: compileValidator(OutboundEventSchema) }
const EVENT_TYPES: Record<RuleDirection, readonly string[]> = {
  inbound: ['review', 'delete', 'block', 'report'],
  outbound: ['flag'],
}
const variants = new Map(LEAF_VARIANTS.map((v) => [`${v.operator}|${v.kind}`, { ...v, validator: compileValidator(v.schema) }]))

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

interface WalkContext {
  readonly file: string
  readonly issues: RulesetIssue[]
  readonly leaves: { fact: FactName; operator: OperatorName; value: unknown; path: string }[]
}

function walk(node: unknown, path: string, ctx: WalkContext, top: boolean): void {
  const issue = (at: string, reason: string): void => {
    ctx.issues.push({ file: ctx.file, path: at, reason })
  }
  if (!isObject(node)) return issue(path, 'must be an object: {"all": [...]}, {"any": [...]}, {"not": {...}} or {"fact", "operator", "value"}')
  const keys = Object.keys(node)
  const booleanKey = (['all', 'any', 'not'] as const).find((k) => k in node)
  if (booleanKey) {
    for (const extra of keys.filter((k) => k !== booleanKey)) issue(`${path}/${extra}`, `is not allowed beside "${booleanKey}"`)
    const child = node[booleanKey]
    if (booleanKey === 'not') return walk(child, `${path}/not`, ctx, false)
    if (!Array.isArray(child) || child.length === 0) return issue(`${path}/${booleanKey}`, 'must be a non-empty array of conditions')
    child.forEach((c, i) => walk(c, `${path}/${booleanKey}/${i}`, ctx, false))
    return
  }
  if (top) return issue(path, 'must start with "all", "any" or "not"')
  const { fact, operator } = node
  if (typeof fact !== 'string' || !isFactName(fact)) {
    return issue(`${path}/fact`, `unknown fact ${JSON.stringify(fact)}; facts: ${Object.keys(FACTS).join(', ')}`)
  }
  if (typeof operator !== 'string' || !isOperatorName(operator)) {
    return issue(`${path}/operator`, `unknown operator ${JSON.stringify(operator)}; operators: ${OPERATOR_NAMES.join(', ')}`)
  }
  const kind = FACTS[fact].kind
  const variant = variants.get(`${operator}|${kind}`) as (LeafVariant & { validator: ReturnType<typeof compileValidator> }) | undefined
  if (!variant) {
    const usable = OPERATOR_NAMES.filter((o) => kind in OPERATORS[o].valueByKind)
    return issue(`${path}/operator`, `${operator} does not apply to ${fact} (a ${kind} fact); use one of: ${usable.join(', ')}`)
  }
  const before = ctx.issues.length
  ctx.issues.push(...variant.validator.issues(node, ctx.file, path))
  if (ctx.issues.length === before) ctx.leaves.push({ fact, operator, value: node.value, path })
}

export interface RuleValidationContext {
  /** The file, relative to rules/. */
  readonly file: string
  /** The file name without `.json`: the rule's name must equal it. */
  readonly expectedName: string
  readonly direction: RuleDirection
  readonly lexiconExists: (name: string) => boolean
  readonly lexiconNames: readonly string[]
}

/** Validates one parsed rule file; returns the rule, or the issues that refuse it. */
export function validateRuleFile(document: unknown, ctx: RuleValidationContext): { rule?: RuleDefinition; issues: RulesetIssue[] } {
  const { file } = ctx
  const issues = header.issues(document, file)
  if (!isObject(document)) return { issues }
  const walkContext: WalkContext = { file, issues, leaves: [] }
  walk(document.conditions, '/conditions', walkContext, true)

  const event = document.event
  const type = isObject(event) ? event.type : undefined
  if (typeof type !== 'string' || !EVENT_TYPES[ctx.direction].includes(type)) {
    issues.push({ file, path: '/event/type', reason: `an ${ctx.direction} rule's event type must be one of: ${EVENT_TYPES[ctx.direction].join(', ')}` })
  } else {
    issues.push(...events[ctx.direction].issues(event, file, '/event'))
  }
  if (issues.length > 0) return { issues }

  if (document.name !== ctx.expectedName) {
    issues.push({ file, path: '/name', reason: `must be "${ctx.expectedName}", the file's name, so verdicts cite a stable name` })
  }
  const escalation = walkContext.leaves.some((leaf) => 'dynamic' in FACTS[leaf.fact])
  const priority = typeof document.priority === 'number' ? document.priority : 50
  if (escalation && priority >= ESCALATION_PRIORITY_LIMIT) {
    issues.push({ file, path: '/priority', reason: `a rule testing messageViolations runs after the others: its priority must be below ${ESCALATION_PRIORITY_LIMIT}` })
  }
  if (!escalation && priority < ESCALATION_PRIORITY_LIMIT) {
    issues.push({ file, path: '/priority', reason: `priorities below ${ESCALATION_PRIORITY_LIMIT} are for escalation rules that test messageViolations` })
  }
  const params = (event as { params?: { category?: string } }).params
  if (!escalation && !params?.category) {
    issues.push({ file, path: '/event/params/category', reason: 'is required: only escalation rules may omit the category' })
  }
  const lexicons = new Set<string>()
  for (const leaf of walkContext.leaves) {
    if (leaf.operator === 'containsLexicon' || leaf.operator === 'containsNear') {
      const names =
        leaf.operator === 'containsNear'
          ? [...readNearReference(leaf.value as NearReference).first, ...readNearReference(leaf.value as NearReference).then]
          : readLexiconReference(leaf.value as Parameters<typeof readLexiconReference>[0]).names
      for (const name of names) {
        lexicons.add(name)
        if (!ctx.lexiconExists(name)) {
          issues.push({ file, path: `${leaf.path}/value`, reason: `unknown lexicon "${name}"; lexicons: ${ctx.lexiconNames.join(', ')}` })
        }
      }
    }
    if (leaf.operator === 'matchesAny') {
      ;(leaf.value as string[]).forEach((pattern, i) => {
        try {
          new RegExp(pattern, PATTERN_FLAGS)
        } catch (cause) {
          issues.push({ file, path: `${leaf.path}/value/${i}`, reason: `is not a valid regular expression: ${(cause as Error).message}` })
        }
      })
    }
  }
  // The walker and the schema must agree; if they ever do not, the schema has the last word.
  if (issues.length === 0) issues.push(...whole.issues(document, file))
  if (issues.length > 0) return { issues }
  return {
    issues,
    rule: {
      name: document.name as string,
      description: document.description as string,
      priority,
      conditions: document.conditions as ConditionNode,
      event: event as RuleDefinition['event'],
      escalation,
      lexicons: [...lexicons],
    },
  }
}
