import { describe, expect, it } from 'vitest'
import { smsLength } from './sms-segments'

describe('smsLength', () => {
  it('counts GSM-7 texts in 160-septet single parts and 153-septet concatenated parts', () => {
    expect(smsLength('')).toMatchObject({ encoding: 'GSM-7', segments: 0 })
    expect(smsLength('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1, remaining: 0 })
    expect(smsLength('a'.repeat(161))).toMatchObject({ segments: 2, perSegment: 153 })
    expect(smsLength('a'.repeat(306))).toMatchObject({ segments: 2 })
    expect(smsLength('a'.repeat(307))).toMatchObject({ segments: 3 })
  })

  it('counts extension characters as two septets and keeps Italian accents in GSM-7', () => {
    expect(smsLength('€')).toMatchObject({ encoding: 'GSM-7', units: 2 })
    expect(smsLength('Città più bella: è così')).toMatchObject({ encoding: 'GSM-7' })
    expect(smsLength(`${'a'.repeat(159)}€`)).toMatchObject({ units: 161, segments: 2 })
    // An escape pair is not split across parts.
    expect(smsLength(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toMatchObject({ units: 306, segments: 3 })
  })

  it('switches to UCS-2 for other characters: 70 units, 67 per part, emoji as two', () => {
    // Capital È is not in GSM 03.38 (only É is): a common Italian trap.
    expect(smsLength('È aperto')).toMatchObject({ encoding: 'UCS-2', nonGsm: ['È'] })
    expect(smsLength('à'.repeat(10) + 'ê')).toMatchObject({ encoding: 'UCS-2', units: 11, segments: 1 })
    expect(smsLength('ê'.repeat(70))).toMatchObject({ segments: 1 })
    expect(smsLength('ê'.repeat(71))).toMatchObject({ segments: 2, perSegment: 67 })
    expect(smsLength('📢')).toMatchObject({ encoding: 'UCS-2', units: 2, characters: 1 })
  })
})
