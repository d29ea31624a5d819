/**
 * SMS length as carriers count it (3GPP TS 23.038): a text that only uses the GSM 03.38 basic
 * set and its extension table goes as GSM-7 (160 septets, 153 per part when concatenated; an
 * extension character takes two septets), anything else as UCS-2 (70 UTF-16 units, 67 per part).
 */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
const EXTENSION = '^{}\\[~]|€\f'
const basic = new Set([...BASIC])
const extension = new Set([...EXTENSION])

export interface SmsLength {
  encoding: 'GSM-7' | 'UCS-2'
  /** Characters as the person sees them. */
  characters: number
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) used. */
  units: number
  segments: number
  /** Units per part for this text (160/153 or 70/67). */
  perSegment: number
  /** Units left in the last part before another part is needed. */
  remaining: number
  /** Characters that force UCS-2 (first few). */
  nonGsm: string[]
}

export function smsLength(text: string): SmsLength {
  const chars = [...text]
  const nonGsm = [...new Set(chars.filter((c) => !basic.has(c) && !extension.has(c)))]
  if (nonGsm.length === 0) {
    const units = chars.reduce((n, c) => n + (extension.has(c) ? 2 : 1), 0)
    const single = units <= 160
    const perSegment = single ? 160 : 153
    // An escape pair is never split across parts: counting per part keeps that invariant.
    const segments = units === 0 ? 0 : single ? 1 : gsmParts(chars)
    return { encoding: 'GSM-7', characters: chars.length, units, segments, perSegment, remaining: segments === 0 ? 160 : segments * perSegment - units, nonGsm: [] }
  }
  // UCS-2 counts UTF-16 code units: an emoji outside the BMP takes two (a surrogate pair).
  const units = text.length
  const single = units <= 70
  const perSegment = single ? 70 : 67
  const segments = single ? 1 : ucs2Parts(text)
  return { encoding: 'UCS-2', characters: chars.length, units, segments, perSegment, remaining: Math.max(0, segments * perSegment - units), nonGsm: nonGsm.slice(0, 5) }
}

function gsmParts(chars: string[]): number {
  let parts = 1
  let used = 0
  for (const c of chars) {
    const size = extension.has(c) ? 2 : 1
    if (used + size > 153) {
      parts++
      used = 0
    }
    used += size
  }
  return parts
}

function ucs2Parts(text: string): number {
  let parts = 1
  let used = 0
  for (const c of text) {
    // A surrogate pair stays in one part.
    const size = c.length
    if (used + size > 67) {
      parts++
      used = 0
    }
    used += size
  }
  return parts
}
