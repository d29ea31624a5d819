import { describe, expect, it } from 'vitest'
import { decisionOf, isViolation } from './verdict-decision.js'

describe('decisionOf', () => {
  it('allows when no rule fired', () => {
    expect(decisionOf([], 'sha256:0000000000000000')).toEqual({ action: 'allow', categories: [], rules: [], rulesetVersion: 'sha256:0000000000000000' })
  })

  it('takes the most severe action, names every category once and rules most severe first', () => {
    const decision = decisionOf(
      [
        { name: 'external-link-off-topic', type: 'review', category: 'off-topic-link', priority: 50 },
        { name: 'vulgar-language', type: 'delete', category: 'offensive-language', priority: 50 },
        { name: 'repeat-offender', type: 'block', priority: 5 },
        { name: 'insults', type: 'delete', category: 'offensive-language', priority: 50 },
      ],
      'sha256:0000000000000000',
    )
    expect(decision.action).toBe('block')
    expect(decision.categories).toEqual(['off-topic-link', 'offensive-language'])
    expect(decision.rules).toEqual(['repeat-offender', 'insults', 'vulgar-language', 'external-link-off-topic'])
  })

  it('counts delete, block and report as violations, not review', () => {
    expect(['allow', 'review', 'delete', 'block', 'report'].map((a) => isViolation(a as never))).toEqual([false, false, true, true, true])
  })
})
