import { describe, expect, it } from 'vitest'
import { ContractViolationError } from './contract-error.js'
import { InboundMessageContract } from './inbound.js'

const valid = {
  version: 1,
  id: 'whatsapp-cloud:wamid.HBgL',
  tenant: 'calcinato',
  channel: 'whatsapp',
  provider: 'whatsapp-cloud',
  providerMessageId: 'wamid.HBgL',
  from: '+393331234567',
  to: '+393666896922',
  type: 'text',
  text: 'ISCRIZIONE Mario Rossi',
  sentAt: '2026-11-22T10:00:00.000Z',
  receivedAt: '2026-11-22T10:00:01.000Z',
}

describe('defineContract', () => {
  it('accepts a payload that matches and round-trips it through bytes', () => {
    const bytes = InboundMessageContract.encode(InboundMessageContract.parse(valid))
    expect(InboundMessageContract.decode(bytes)).toEqual(valid)
  })

  it('names every violation by path', () => {
    const bad = { ...valid, version: 99, from: '3331234567', extra: true }
    try {
      InboundMessageContract.parse(bad)
      expect.unreachable('parse accepted an invalid payload')
    } catch (error) {
      expect(error).toBeInstanceOf(ContractViolationError)
      const paths = (error as ContractViolationError).issues.map((i) => i.path)
      expect(paths).toContain('/version')
      expect(paths).toContain('/from')
      expect(paths).toContain('/extra')
    }
  })

  it('refuses bytes that are not JSON with a clear reason', () => {
    expect(() => InboundMessageContract.decode('{not json')).toThrow(/InboundMessage: \/ is not valid JSON/)
  })

  it('refuses to encode an invalid payload', () => {
    expect(() => InboundMessageContract.encode({ ...valid, tenant: 'Not A Slug' } as never)).toThrow(
      ContractViolationError,
    )
  })
})
