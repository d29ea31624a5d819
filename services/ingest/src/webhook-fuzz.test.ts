import { DeliveryStatusContract, InboundMessageContract, privacyPolicyVersion, UnroutedWebhookContract } from '@banditore/contracts'
import { createLogger } from '@banditore/platform'
import { buildWhatsAppMessageWebhook, buildWhatsAppStatusWebhook, computeTwilioSignature, encodeFormBody, signWhatsAppPayload, twilioInboundParams, twilioStatusParams } from '@banditore/providers'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildIngestServer } from './app.js'
import { loadConfig } from './config.js'
import { MemoryLedger, MemoryPublisher } from './fixtures/memory-edges.js'
import { unitSecrets, unitTenants, VALDORO_PRIVACY } from './fixtures/unit-tenants.js'
import { secretsFrom } from './webhook-credentials.js'

// Fuzzing the doors over in-memory JetStream and ledger edges: whatever arrives, ingest never
// crashes or answers 5xx, publishes nothing for a request it refuses, and publishes only
// contract-valid messages for one it accepts.

const BASE = 'https://ingest.example.org'
const VALDORO = { businessAccountId: 'waba-1', phoneNumberId: '200000000000001', displayPhoneNumber: '+393330000101' }
const RUNS = 250

/** A JSON value with one node replaced or removed, reached by following `path` (indices into keys/items). */
function mutate(value: unknown, path: readonly number[], replacement: unknown, remove: boolean): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement
  const container = Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) }
  const keys = Object.keys(container)
  if (keys.length === 0) return replacement
  const key = keys[(path[0] as number) % keys.length] as string
  const record = container as Record<string, unknown>
  if (path.length === 1 && remove) {
    if (Array.isArray(container)) container.splice(Number(key), 1)
    else delete record[key]
  } else {
    record[key] = mutate(record[key], path.slice(1), replacement, remove)
  }
  return container
}

const mutation = fc.record({
  path: fc.array(fc.nat(20), { maxLength: 8 }),
  replacement: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string(), fc.constantFrom('', '0', '+39', '393471234567', 'sent', 'text')),
  remove: fc.boolean(),
})

describe('fuzzing the doors', () => {
  let app: FastifyInstance
  const publisher = new MemoryPublisher()
  const ledger = new MemoryLedger()

  beforeAll(async () => {
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      PUBLIC_BASE_URL: BASE,
      PAPER_FORM_TOKENS: 'urp-anna:anna-token-0123456789abcdef',
      SIGNUP_LIMIT_PER_IP: '1000000',
      SIGNUP_LIMIT_PER_NUMBER: '1000000',
    })
    app = await buildIngestServer(config, {
      logger: createLogger({ service: 'ingest', level: 'silent' }),
      tenants: unitTenants(),
      secrets: secretsFrom(unitSecrets),
      publisher,
      ledger,
      readiness: {},
    })
  })
  afterAll(async () => {
    await app.close()
  })

  // Statuses seen per door: each property must reach both its accepting and refusing paths.
  const seen = new Map<string, Set<number>>()
  const note = (door: string, status: number) => seen.set(door, (seen.get(door) ?? new Set()).add(status))

  /** Posts, then checks the invariants; returns the status. */
  async function postAndCheck(url: string, payload: string | Buffer, headers: Record<string, string>, accepted: number): Promise<number> {
    const before = publisher.stored.length
    const response = await app.inject({ method: 'POST', url, payload, headers })
    expect(response.statusCode, response.body).toBeLessThan(500)
    const added = publisher.json().slice(before)
    if (response.statusCode !== accepted) {
      expect(added).toEqual([])
    } else {
      for (const { subject, body } of added) {
        if (subject.startsWith('inbound.message.')) InboundMessageContract.parse(body)
        else if (subject.startsWith('inbound.status.')) DeliveryStatusContract.parse(body)
        else expect(UnroutedWebhookContract.is(body)).toBe(true)
      }
    }
    return response.statusCode
  }

  const signedWhatsApp = (body: string | Buffer) => ({
    'content-type': 'application/json',
    'x-hub-signature-256': signWhatsAppPayload(body, unitSecrets.VALDORO_WA_SECRET as string),
  })

  it('WhatsApp: arbitrary bodies, signed or not', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v)), fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b))),
        fc.boolean(),
        async (body, signed) => {
          const headers = signed ? signedWhatsApp(body) : { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }
          const status = await postAndCheck('/webhooks/whatsapp', body, headers, 200)
          expect(signed ? [200, 400] : [401]).toContain(status)
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('WhatsApp: mutated real message and status webhooks, correctly signed', async () => {
    const message = buildWhatsAppMessageWebhook(VALDORO, {
      from: '+393471234567',
      messageId: 'wamid.fuzz',
      at: new Date('2026-01-01T10:00:00Z'),
      profileName: 'Maria',
      message: { type: 'text', text: { body: 'ISCRIVIMI' } },
    })
    const status = buildWhatsAppStatusWebhook(VALDORO, { messageId: 'wamid.out', status: 'delivered', at: new Date('2026-01-01T10:00:00Z'), recipient: '+393471234567', correlation: 'l-1' })
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<unknown>(message, status), mutation, async (payload, { path, replacement, remove }) => {
        const body = JSON.stringify(mutate(payload, path, replacement, remove)) ?? ''
        const outcome = await postAndCheck('/webhooks/whatsapp', body, signedWhatsApp(body), 200)
        expect([200, 400]).toContain(outcome)
        note('whatsapp-mutated', outcome)
      }),
      { numRuns: RUNS },
    )
    expect([...(seen.get('whatsapp-mutated') ?? [])].sort()).toEqual([200, 400])
  })

  it('WhatsApp: real webhooks with flipped bytes, correctly signed', async () => {
    const body = Buffer.from(JSON.stringify(buildWhatsAppMessageWebhook(VALDORO, { from: '+393471234567', messageId: 'wamid.bytes', at: new Date(), message: { type: 'text', text: { body: 'ciao' } } })))
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 }), async (flips) => {
        const mutated = Buffer.from(body)
        for (const { at, byte } of flips) mutated[at % mutated.length] = byte
        const outcome = await postAndCheck('/webhooks/whatsapp', mutated, signedWhatsApp(mutated), 200)
        expect([200, 400]).toContain(outcome)
        note('whatsapp-bytes', outcome)
      }),
      { numRuns: RUNS },
    )
    expect([...(seen.get('whatsapp-bytes') ?? [])].sort()).toEqual([200, 400])
  })

  it('SMS: mutated inbound and status form posts, correctly signed', async () => {
    const inbound = twilioInboundParams({ accountSid: 'ACv', messageSid: 'SMfuzz', from: '+393471234567', to: '+393330000102', body: 'ciao' })
    const statusParams = twilioStatusParams({ accountSid: 'ACv', messageSid: 'SMout', from: '+393330000102', to: '+393471234567', status: 'delivered' })
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(['/webhooks/sms/messages', inbound] as const, ['/webhooks/sms/status', statusParams] as const),
        fc.dictionary(fc.constantFrom('To', 'From', 'MessageSid', 'SmsSid', 'MessageStatus', 'NumMedia', 'MediaUrl0', 'Body', 'ErrorCode', 'x'), fc.string()),
        fc.array(fc.constantFrom('To', 'From', 'MessageSid', 'SmsSid', 'MessageStatus', 'Body')),
        async ([path, base], changes, removed) => {
          const params: Record<string, string> = { ...base, ...changes }
          for (const name of removed) delete params[name]
          const signature = computeTwilioSignature(unitSecrets.VALDORO_SMS_TOKEN as string, `${BASE}${path}`, params)
          const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }
          const outcome = await postAndCheck(path, encodeFormBody(params), headers, 200)
          expect([200, 400, 401]).toContain(outcome)
          note('sms', outcome)
        },
      ),
      { numRuns: RUNS },
    )
    expect(seen.get('sms')).toContain(200)
    expect(seen.get('sms')).toContain(400)
  })

  it('sign-up forms: arbitrary and mutated bodies', async () => {
    const valid = { tenant: 'valdoro', name: 'Maria Rossi', phone: '3471234567', topics: ['eventi'], consent: true, policyVersion: privacyPolicyVersion(VALDORO_PRIVACY) }
    const paper = { ...valid, formReference: 'URP/1', signedAt: '2025-01-02' }
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.jsonValue(), fc.tuple(fc.constantFrom(valid, paper), mutation).map(([v, m]) => mutate(v, m.path, m.replacement, m.remove))),
        fc.constantFrom('/forms/signup', '/forms/paper'),
        async (body, url) => {
          const headers = { 'content-type': 'application/json', authorization: 'Bearer anna-token-0123456789abcdef' }
          const status = await postAndCheck(url, JSON.stringify(body) ?? 'null', headers, 202)
          expect([202, 400, 403, 404, 409]).toContain(status)
          note('forms', status)
        },
      ),
      { numRuns: RUNS },
    )
    expect(seen.get('forms')).toContain(202)
    expect(seen.get('forms')).toContain(400)
  })
})
