import { describe, expect, it } from 'vitest'
import { AudienceRequestError, decodeCursor, encodeCursor } from './audience-responder.js'

describe('audience cursors', () => {
  it('round-trip a position and start at 0 without one', () => {
    expect(decodeCursor(encodeCursor(4217))).toBe(4217)
    expect(decodeCursor(undefined)).toBe(0)
    expect(encodeCursor(1)).not.toContain('1')
  })

  it('refuse cursors this service did not issue', () => {
    for (const bad of ['', 'garbage', Buffer.from('p:-1').toString('base64url'), Buffer.from('p:1e9').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(AudienceRequestError)
    }
  })
})
