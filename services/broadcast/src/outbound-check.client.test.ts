import type { BroadcastDraftBody } from '@banditore/contracts'
import { createLogger } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import { describe, expect, it } from 'vitest'
import { createOutboundChecker, draftTexts } from './outbound-check.client.js'

const draft: BroadcastDraftBody = {
  title: 'Avviso',
  topics: ['avvisi'],
  sms: { texts: { it: 'Strada chiusa', fr: 'Route fermée' } },
  whatsapp: { templateName: 'avviso', variants: { it: { code: 'it', bodyParameters: ['via Roma', 'lunedì'] } } },
}
const logger = createLogger({ service: 'test', level: 'silent' })
const encoder = new TextEncoder()

/** A NATS connection whose request/reply answers `answer` (the I/O edge, faked). */
const natsAnswering = (answer: () => unknown): NatsConnection =>
  ({
    request: async (subject: string, data: Uint8Array) => {
      expect(subject).toBe('moderation.check.outbound')
      expect(JSON.parse(new TextDecoder().decode(data))).toMatchObject({ version: 1, tenant: 'borgo', broadcastId: 'b1' })
      const value = answer()
      return { data: encoder.encode(typeof value === 'string' ? value : JSON.stringify(value)) }
    },
  }) as unknown as NatsConnection

const checker = (answer: () => unknown) => createOutboundChecker({ nc: natsAnswering(answer), logger, timeoutMs: 100 })
const RULESET = 'sha256:0123456789abcdef'

describe('draftTexts', () => {
  it('puts together what citizens read, per language: SMS text and template parameters', () => {
    expect(draftTexts(draft)).toEqual({ it: 'Strada chiusa\nvia Roma\nlunedì', fr: 'Route fermée' })
  })
})

describe('createOutboundChecker', () => {
  it('shows a clean or flagged draft as moderation answered', async () => {
    expect(await checker(() => ({ version: 1, ok: true, flagged: false, categories: [], findings: [], rulesetVersion: RULESET })).check('borgo', 'b1', draft)).toMatchObject({
      state: 'clean',
      rulesetVersion: RULESET,
    })
    const flagged = await checker(() => ({
      version: 1,
      ok: true,
      flagged: true,
      categories: ['political-propaganda'],
      findings: [{ language: 'it', categories: ['political-propaganda'], rules: ['propaganda-elettorale'] }],
      rulesetVersion: RULESET,
    })).check('borgo', 'b1', draft)
    expect(flagged).toMatchObject({ state: 'flagged', categories: ['political-propaganda'], findings: [{ language: 'it' }] })
  })

  it('records "unavailable" when moderation refuses, answers nonsense, or does not answer', async () => {
    const refused = await checker(() => ({ version: 1, ok: false, error: { code: 'CONTRACT_VIOLATION', message: 'bad texts' } })).check('borgo', 'b1', draft)
    expect(refused).toMatchObject({ state: 'unavailable', error: 'CONTRACT_VIOLATION: bad texts' })
    expect((await checker(() => ({ version: 2, ok: true })).check('borgo', 'b1', draft)).state).toBe('unavailable')
    expect((await checker(() => 'not json').check('borgo', 'b1', draft)).state).toBe('unavailable')
    const silent = createOutboundChecker({
      nc: { request: async () => Promise.reject(new Error('503 no responders')) } as unknown as NatsConnection,
      logger,
      timeoutMs: 100,
    })
    expect(await silent.check('borgo', 'b1', draft)).toMatchObject({ state: 'unavailable', error: '503 no responders', categories: [] })
  })
})
