import type { ModerationCategory, ModerationConditionExplanation, ModerationExplanation } from '@banditore/contracts'
import { shippedClassifier } from '../classifier/text-classifier.js'
import { isDomainWithin } from '../detectors/link-detector.js'
import { FACTS, isFactName, type MessageFacts } from '../facts/fact-catalog.js'
import { evidenceOfFacts } from '../facts/message-facts.js'
import type { LexiconSet } from '../lexicon/lexicon-library.js'
import { compilePatterns, readLexiconReference, readNearReference, type NearReference } from '../operators/custom-operators.js'
import type { ConditionNode, RuleDefinition } from '../ruleset/rule-file-validator.js'
import { normalizeText } from '../text/text-normalizer.js'

interface OperatorLike {
  evaluate(factValue: unknown, jsonValue: unknown): boolean
}

const CLASSIFIER_PREFIX = 'classifier.'

/**
 * Explains fired rules after the fact: the conditions of each rule that hold on the message's
 * facts (evaluated with the engine's own operators, as the verdict memo does) and their evidence.
 * It runs only for rules that fired, so clean messages cost nothing more.
 */
export class RuleExplainer {
  constructor(
    private readonly rules: ReadonlyMap<string, RuleDefinition>,
    private readonly operators: { get(name: string): OperatorLike | undefined },
    private readonly lexicons: LexiconSet,
  ) {}

  /** The message's normalized words (unsqueezed), computed once per explanation. */
  private words: readonly string[] | undefined

  private wordsOf(facts: MessageFacts): readonly string[] {
    this.words ??= evidenceOfFacts.get(facts)?.words ?? normalizeText(facts.text).words
    return this.words
  }

  explain(ruleNames: readonly string[], facts: MessageFacts): ModerationExplanation[] {
    const out: ModerationExplanation[] = []
    this.words = undefined
    for (const name of ruleNames) {
      const rule = this.rules.get(name)
      if (!rule) continue
      const conditions: ModerationConditionExplanation[] = []
      this.collect(rule.conditions, facts, conditions)
      const category: ModerationCategory | undefined = rule.event.params?.category
      out.push({ rule: name, ...(category ? { category } : {}), conditions })
    }
    return out
  }

  /** The leaf conditions that hold, outside `not` (a condition that does not hold is no evidence). */
  private collect(node: ConditionNode, facts: MessageFacts, out: ModerationConditionExplanation[]): void {
    if ('all' in node) return node.all.forEach((n) => this.collect(n, facts, out))
    if ('any' in node) return node.any.forEach((n) => this.collect(n, facts, out))
    if ('not' in node) return
    if (!isFactName(node.fact) || 'dynamic' in FACTS[node.fact]) {
      // messageViolations: derived within the run from the other rules that fired.
      out.push({ fact: node.fact, operator: node.operator, value: node.value })
      return
    }
    const fact = facts[node.fact as keyof MessageFacts] as unknown
    const operator = this.operators.get(node.operator)
    if (!operator || !operator.evaluate(fact, node.value)) return
    out.push({ fact: node.fact, operator: node.operator, value: node.value, ...this.evidence(node.fact, node.operator, node.value, fact, facts) })
  }

  private evidence(factName: string, operator: string, value: unknown, fact: unknown, facts: MessageFacts): Partial<ModerationConditionExplanation> {
    const tokens = Array.isArray(fact) ? (fact as readonly string[]) : []
    // The message's words at the positions of tokens or stems (one of each per word), as written.
    const words = tokens.length > 0 ? this.wordsOf(facts) : []
    const surface = words.length === tokens.length ? words : tokens
    const wordsAt = (ranges: readonly { from: number; to: number }[]) => [
      ...new Set(ranges.map((r) => surface.slice(r.from, r.to + 1).join(' '))),
    ]
    switch (operator) {
      case 'containsLexicon': {
        const hits = this.lexicons.occurrences(tokens, readLexiconReference(value as Parameters<typeof readLexiconReference>[0]).names)
        return { matched: [...new Set(hits.map((h) => h.term))], words: wordsAt(hits) }
      }
      case 'containsNear': {
        const { first, then, within, ordered } = readNearReference(value as NearReference)
        const a = this.lexicons.occurrences(tokens, first)
        const b = this.lexicons.occurrences(tokens, then)
        for (const x of a) {
          for (const y of b) {
            const near = (y.from > x.to && y.from - x.to <= within) || (!ordered && x.from > y.to && x.from - y.to <= within)
            if (near) return { matched: [x.term, y.term], words: wordsAt([x, y]) }
          }
        }
        return {}
      }
      case 'matchesAny': {
        const found = typeof fact === 'string' ? compilePatterns(value as readonly string[]).exec(fact) : null
        return found ? { matched: [found[0]] } : {}
      }
      case 'intersects':
        return { matched: tokens.filter((item) => (value as readonly string[]).includes(item)) }
      case 'anyDomainOutside':
        return { matched: tokens.filter((domain) => !(value as readonly string[]).some((a) => isDomainWithin(domain, a))) }
    }
    if (factName.startsWith(CLASSIFIER_PREFIX) && typeof fact === 'number') {
      const category = factName.slice(CLASSIFIER_PREFIX.length) as ModerationCategory
      const classifier = shippedClassifier()
      const present = evidenceOfFacts.get(facts)?.features ?? classifier?.featureIndices(this.wordsOf(facts), facts.stems)
      const features = classifier && present ? classifier.topFeaturesOf(present, category) : []
      return { score: fact, ...(typeof value === 'number' ? { threshold: value } : {}), ...(features.length > 0 ? { features } : {}) }
    }
    return { observed: fact }
  }
}
