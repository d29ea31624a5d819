import { describe, expect, it } from 'vitest'
import { PaperFormOperators } from './paper-form-operators.js'

describe('PaperFormOperators', () => {
  const operators = new PaperFormOperators('urp-anna:anna-token-0123456789abcdef, urp-bruno:bruno-token-0123456789abcdef')

  it('names the operator a bearer token belongs to', () => {
    expect(operators.size).toBe(2)
    expect(operators.authenticate('Bearer anna-token-0123456789abcdef')).toBe('urp-anna')
    expect(operators.authenticate('bearer bruno-token-0123456789abcdef')).toBe('urp-bruno')
  })

  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic anna-token-0123456789abcdef'],
    ['a wrong token', 'Bearer anna-token-0123456789abcdeX'],
    ['a prefix', 'Bearer anna-token'],
    ['a token and more', 'Bearer anna-token-0123456789abcdef extra'],
    ['an empty token', 'Bearer '],
  ])('refuses %s', (_case, header) => {
    expect(operators.authenticate(header)).toBeUndefined()
  })

  it('refuses everyone when no tokens are configured', () => {
    expect(new PaperFormOperators(undefined).authenticate('Bearer anything-at-all-0000000')).toBeUndefined()
  })
})
