/**
 * The parts an SMS text is billed as (3GPP TS 23.038): GSM-7 when every character is in the GSM
 * 03.38 basic set or its extension table (160 septets, 153 per part when concatenated; an
 * extension character takes two), otherwise UCS-2 (70 UTF-16 units, 67 per part). The console's
 * editor counts the same way as the staff types (compose/sms-segments.ts).
 */
const BASIC = new Set([
  ...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
])
const EXTENSION = new Set([...'^{}\\[~]|€\f'])

export function smsSegments(text: string): number {
  const chars = [...text]
  if (chars.length === 0) return 0
  const gsm = chars.every((c) => BASIC.has(c) || EXTENSION.has(c))
  const single = gsm ? 160 : 70
  const part = gsm ? 153 : 67
  const sizes = chars.map((c) => (gsm ? (EXTENSION.has(c) ? 2 : 1) : c.length))
  if (sizes.reduce((a, b) => a + b, 0) <= single) return 1
  // An escape pair or a surrogate pair is never split across parts.
  let parts = 1
  let used = 0
  for (const size of sizes) {
    if (used + size > part) {
      parts++
      used = 0
    }
    used += size
  }
  return parts
}
