import { MODERATION_CATEGORIES } from '@banditore/contracts'
import { describe, expect, it } from 'vitest'
import { evaluateCase } from '../cases/case-runner.js'
import { shippedRuleset } from '../testing/shipped-ruleset.js'

// Every rule's cases (rules/**/<rule>.cases.json), as `rules test` runs them.
const ruleset = await shippedRuleset()

describe('the shipped rules', () => {
  it('cover every category the municipal policies name, inbound', () => {
    const categories = new Set(ruleset.content.rules.filter((r) => r.direction === 'inbound').map((r) => r.event.params?.category))
    expect(MODERATION_CATEGORIES.filter((c) => !categories.has(c))).toEqual([])
  })

  it('use every action: review, delete, block and report', () => {
    expect(new Set(ruleset.content.rules.map((r) => r.event.type))).toEqual(new Set(['review', 'delete', 'block', 'report', 'flag']))
  })

  describe.each(ruleset.content.cases.map((c) => [c.file, c] as const))('%s', (_file, cases) => {
    it.each(cases.match.map((c) => [c.text, c] as const))('fires on %j', async (_text, testCase) => {
      const { fires, fired } = await evaluateCase(ruleset, cases, testCase)
      expect(fires, `fired: ${fired.join(', ') || 'none'}`).toBe(true)
    })
    it.each(cases.noMatch.map((c) => [c.text, c] as const))('does not fire on %j', async (_text, testCase) => {
      const { fires, fired } = await evaluateCase(ruleset, cases, testCase)
      expect(fires, `fired: ${fired.join(', ')}`).toBe(false)
    })
  })
})
