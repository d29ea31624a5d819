import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { historyOfCase, inputOfCase } from '../cases/case-input.js'
import { profileForLayer } from '../cases/case-runner.js'
import { parseCorpus } from '../corpus/corpus-evaluator.js'
import { computeMessageFacts } from '../facts/message-facts.js'
import { OfficeHoursClock } from '../facts/office-hours-clock.js'
import { LexiconLibrary } from '../lexicon/lexicon-library.js'
import { NO_HISTORY } from '../sender/sender-history.js'
import { defaultProfile } from '../tenant/moderation-profile.js'
import { input, RULES_DIR, shippedRuleset } from '../testing/shipped-ruleset.js'
import { ModerationEngineError } from './ruleset-error.js'
import { TenantEngine } from './tenant-engine.js'
import type { RuleDefinition } from './rule-file-validator.js'

const memo = await shippedRuleset({ memo: true })
const direct = await shippedRuleset({ memo: false })
const names = (fired: readonly { name: string }[]) => fired.map((r) => r.name).sort()

describe('TenantEngine', () => {
  it('decides exactly as json-rules-engine does, with or without the memo, on the corpus and every case', async () => {
    const corpus = parseCorpus(await readFile(join(RULES_DIR, 'corpus', 'it.jsonl'), 'utf8'), 'it.jsonl').entries
    let compared = 0
    for (const entry of corpus) {
      const at = inputOfCase(entry, 'inbound')
      const profile = memo.profiles.get(entry.tenant)
      const a = await memo.firedRules(profile, 'inbound', at, historyOfCase(entry, at.at))
      const b = await direct.firedRules(profile, 'inbound', at, historyOfCase(entry, at.at))
      expect(names(a), entry.text).toEqual(names(b))
      compared++
    }
    for (const cases of memo.content.cases) {
      const profile = profileForLayer(memo, cases.rule.layer)
      for (const testCase of [...cases.match, ...cases.noMatch]) {
        const message = inputOfCase(testCase, cases.rule.direction)
        const history = historyOfCase(testCase, message.at)
        const a = await memo.firedRules(profile, cases.rule.direction, message, history)
        const b = await direct.firedRules(profile, cases.rule.direction, message, history)
        expect(names(a), testCase.text).toEqual(names(b))
        compared++
      }
    }
    expect(compared).toBeGreaterThan(500)
    // Two engines over the corpus and every case: seconds on a busy machine.
  }, 30_000)

  it('runs concurrent decisions one at a time, so none cuts another short', async () => {
    const profile = direct.profiles.get('ancona')
    const texts = ['vaffanculo', 'ciao', 'Votate Lista Civica', 'ti ammazzo', 'www.offerte.shop', 'grazie'].flatMap((t) => [t, t, t])
    const sequential = []
    for (const text of texts) sequential.push(names(await direct.firedRules(profile, 'inbound', input(text), NO_HISTORY)))
    const concurrent = await Promise.all(texts.map(async (text) => names(await direct.firedRules(profile, 'inbound', input(text), NO_HISTORY))))
    expect(concurrent).toEqual(sequential)
  })

  it('fails loudly on a fact that does not exist (allowUndefinedFacts: false)', async () => {
    const rule: RuleDefinition = {
      name: 'misspelt',
      description: 'a rule that skipped validation',
      priority: 50,
      conditions: { all: [{ fact: 'wordcount' as never, operator: 'greaterThan', value: 1 }] },
      event: { type: 'delete', params: { category: 'spam' } },
      escalation: false,
      lexicons: [],
    }
    const engine = new TenantEngine([rule], new LexiconLibrary([]).forLanguages(['it']), { memo: false })
    const profile = defaultProfile('x')
    const facts = computeMessageFacts(input('ciao a tutti'), NO_HISTORY, profile, new OfficeHoursClock(profile.timezone, undefined))
    await expect(engine.decide(facts)).rejects.toThrow(ModerationEngineError)
    await expect(engine.decide(facts)).rejects.toThrow(/Undefined fact: wordcount/)
  })

  it('lets escalation rules count the violations found by the rules before them', async () => {
    const profile = memo.profiles.get('corbetta')
    const offence = await memo.firedRules(profile, 'inbound', input('vaffanculo'), { recentMessages: [], pastViolations: 2 })
    expect(names(offence)).toEqual(expect.arrayContaining(['repeat-offender', 'vulgar-language']))
    const clean = await memo.firedRules(profile, 'inbound', input('buongiorno'), { recentMessages: [], pastViolations: 9 })
    expect(clean).toEqual([])
  })
})
