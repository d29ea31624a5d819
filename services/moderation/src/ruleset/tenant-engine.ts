import type { ModerationCategory } from '@banditore/contracts'
import { Engine, type Almanac, type RuleProperties } from 'json-rules-engine'
import { FACTS, isFactName, type MessageFacts } from '../facts/fact-catalog.js'
import type { LexiconSet } from '../lexicon/lexicon-library.js'
import { registerCustomOperators } from '../operators/custom-operators.js'
import { ModerationEngineError } from './ruleset-error.js'
import type { ModerationExplanation } from '@banditore/contracts'
import { RuleExplainer } from '../verdict/rule-explainer.js'
import type { ConditionNode, EventType, RuleDefinition } from './rule-file-validator.js'

/** A rule that fired on a message. */
export interface FiredRule {
  readonly name: string
  readonly type: EventType
  readonly category?: ModerationCategory
  readonly priority: number
}

/** Actions that count as a violation for messageViolations and the sender's record. */
export const VIOLATION_TYPES: ReadonlySet<string> = new Set(['delete', 'block', 'report'])

interface OperatorLike {
  evaluate(factValue: unknown, jsonValue: unknown): boolean
}

/** One condition on a fact computed before the run, evaluated with the engine's own operator. */
interface Atom {
  readonly fact: keyof MessageFacts
  readonly operator: OperatorLike
  readonly value: unknown
}

// Distinct fact combinations remembered per engine; on overflow the memo starts again.
const MEMO_LIMIT = 20_000

/**
 * One json-rules-engine Engine for a tenant's effective rules in one direction, with
 * `allowUndefinedFacts: false` so a misspelt fact fails loudly.
 *
 * The verdict memo: every fact but messageViolations is computed before the run and every
 * operator is a pure function, so the rules that fire depend only on the truth of each
 * (fact, operator, value) condition of the ruleset — of which there are a few dozen. The engine
 * therefore runs once per distinct combination of those truths; later messages with the same
 * combination (nearly every clean message shares one) reuse its result. The truths are computed
 * with the engine's own registered operators, so the memo cannot disagree with the engine; a test
 * checks it over the corpus and every rule case. messageViolations is derived, within the run,
 * from the other rules' results, so it is determined by the same combination.
 *
 * json-rules-engine keeps its run status on the Engine, so concurrent runs of one Engine would
 * cut each other short: runs are queued.
 */
export class TenantEngine {
  private readonly engine: Engine
  private readonly atoms: Atom[] = []
  private readonly memo = new Map<string, readonly FiredRule[]>()
  private readonly priorities = new Map<string, number>()
  private queue: Promise<unknown> = Promise.resolve()
  private engineRuns = 0
  private readonly explainer: RuleExplainer

  constructor(
    rules: readonly RuleDefinition[],
    lexicons: LexiconSet,
    private readonly options: { memo: boolean } = { memo: true },
  ) {
    this.engine = new Engine([], { allowUndefinedFacts: false })
    registerCustomOperators(this.engine, lexicons)
    this.engine.addFact('messageViolations', (_params: unknown, almanac: Almanac) => countViolations(almanac), {
      cache: false,
    })
    for (const rule of rules) {
      this.priorities.set(rule.name, rule.priority)
      const properties: RuleProperties = {
        name: rule.name,
        priority: rule.priority,
        conditions: rule.conditions as RuleProperties['conditions'],
        event: rule.event,
      }
      this.engine.addRule(properties)
    }
    const operators = (this.engine as unknown as { operators: { get(name: string): OperatorLike | undefined } }).operators
    const seen = new Set<string>()
    const collect = (node: ConditionNode) => {
      if ('all' in node) return node.all.forEach(collect)
      if ('any' in node) return node.any.forEach(collect)
      if ('not' in node) return collect(node.not)
      if (!isFactName(node.fact) || 'dynamic' in FACTS[node.fact]) return
      const key = `${node.fact}|${node.operator}|${JSON.stringify(node.value)}`
      if (seen.has(key)) return
      seen.add(key)
      const operator = operators.get(node.operator)
      if (!operator) throw new ModerationEngineError(`operator ${node.operator} is not registered`)
      this.atoms.push({ fact: node.fact as keyof MessageFacts, operator, value: node.value })
    }
    for (const rule of rules) collect(rule.conditions)
    this.explainer = new RuleExplainer(new Map(rules.map((r) => [r.name, r])), operators, lexicons)
  }

  /** Why the named rules (fired on these facts) fired: the conditions that held, with evidence. */
  explain(ruleNames: readonly string[], facts: MessageFacts): ModerationExplanation[] {
    return this.explainer.explain(ruleNames, facts)
  }

  /** The rules that fire on a message's facts. */
  async decide(facts: MessageFacts): Promise<readonly FiredRule[]> {
    if (!this.options.memo) return this.run(facts)
    const key = this.signature(facts)
    const known = this.memo.get(key)
    if (known) return known
    const fired = await this.run(facts)
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear()
    this.memo.set(key, fired)
    return fired
  }

  private signature(facts: MessageFacts): string {
    let key = ''
    for (const atom of this.atoms) key += atom.operator.evaluate(facts[atom.fact], atom.value) ? '1' : '0'
    return key
  }

  /** How many times json-rules-engine itself ran (the rest came from the memo). */
  get runs(): number {
    return this.engineRuns
  }

  private run(facts: MessageFacts): Promise<readonly FiredRule[]> {
    this.engineRuns++
    const result = this.queue.then(async () => {
      try {
        const { results } = await this.engine.run({ ...facts })
        return results
          .filter((r) => r.result === true && r.event)
          .map((r): FiredRule => {
            const event = r.event as { type: EventType; params?: { category?: ModerationCategory } }
            const category = event.params?.category
            return {
              name: r.name,
              type: event.type,
              ...(category ? { category } : {}),
              priority: this.priorities.get(r.name) ?? 0,
            }
          })
      } catch (cause) {
        throw new ModerationEngineError(`the rules engine failed: ${(cause as Error).message}`, { cause })
      }
    })
    this.queue = result.catch(() => undefined)
    return result
  }
}

function countViolations(almanac: Almanac): number {
  const events = (almanac as unknown as { getEvents(outcome: string): { type: string }[] }).getEvents('success')
  return events.filter((e) => VIOLATION_TYPES.has(e.type)).length
}
