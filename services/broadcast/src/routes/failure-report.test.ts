import { describe, expect, it } from 'vitest'
import { csvField, csvLine, failureCsvLine, failureReasonText } from './failure-report.js'

describe('failures CSV', () => {
  it('quotes as RFC 4180 asks: commas, quotes, line breaks, edge spaces', () => {
    expect(csvField('semplice')).toBe('semplice')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('dice "no"')).toBe('"dice ""no"""')
    expect(csvField('due\r\nrighe')).toBe('"due\r\nrighe"')
    expect(csvField(' spazio')).toBe('" spazio"')
    expect(csvLine(['a', 'b,c'])).toBe('a,"b,c"\r\n')
  })

  it('keeps numbers in E.164 as they are, and defuses what a spreadsheet would run as a formula', () => {
    expect(csvField('+393471110001')).toBe('+393471110001')
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`)
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvField('+cmd')).toBe("'+cmd")
  })

  it('explains the ledger reasons in Italian', () => {
    expect(failureReasonText('invalid-number')).toBe('numero non valido')
    expect(failureReasonText('provider:131026')).toContain('messaggio non consegnabile')
    expect(failureReasonText('twilio:30003')).toContain('(codice 30003)')
    expect(failureReasonText('whatsapp-cloud:999')).toBe('rifiutato dal fornitore (codice 999)')
    expect(failureReasonText('retries-exhausted: whatsapp-cloud:network')).toBe('tentativi esauriti (ultimo errore: fornitore non raggiungibile)')
    expect(failureReasonText('ambiguous-unresolved')).toContain('non confermato')
  })

  it('writes one line per failure: number, channel, code, text, time', () => {
    expect(failureCsvLine({ phone: '+393471110001', channel: 'sms', reason: 'invalid-number', at: '2026-12-08T10:00:00.000Z' })).toBe(
      '+393471110001,SMS,invalid-number,numero non valido,2026-12-08T10:00:00.000Z\r\n',
    )
  })
})
