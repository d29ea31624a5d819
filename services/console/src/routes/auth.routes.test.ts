import { describe, expect, it } from 'vitest'
import { grantsFromClaim } from '../session/identity-provider.client.js'
import { safeReturnTo } from './auth.routes.js'

describe('return path after sign-in', () => {
  it('keeps same-origin paths with query and fragment', () => {
    expect(safeReturnTo('/comunicazioni/nuova?bozza=1#testo')).toBe('/comunicazioni/nuova?bozza=1#testo')
    expect(safeReturnTo('/')).toBe('/')
  })

  it.each(['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '', undefined, 42, '/auth/login', '/a\nb'])(
    'sends %j to the start page',
    (value) => {
      expect(safeReturnTo(value)).toBe('/')
    },
  )
})

describe('grants from the roles claim', () => {
  it('reads tenant:role pairs and platform-wide roles', () => {
    expect(grantsFromClaim(['corbetta:operator', 'ancona:civil-protection', '*:admin'])).toEqual([
      { tenant: 'corbetta', role: 'operator' },
      { tenant: 'ancona', role: 'civil-protection' },
      { tenant: '*', role: 'admin' },
    ])
    expect(grantsFromClaim(['admin'])).toEqual([{ tenant: '*', role: 'admin' }])
  })

  it('accepts a space-separated string, drops duplicates and malformed entries', () => {
    expect(grantsFromClaim('corbetta:operator corbetta:operator Corbetta:Admin :x 7 *:operator operator')).toEqual([{ tenant: 'corbetta', role: 'operator' }])
    expect(grantsFromClaim(undefined)).toEqual([])
    expect(grantsFromClaim([1, null, 'corbetta:approver'])).toEqual([{ tenant: 'corbetta', role: 'approver' }])
  })
})
