import { freePort } from '../harness/index.js'
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { signWhatsAppPayload } from '@banditore/providers'
import { connectNats } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureLogs, createTestDatabase, spawnService, startNatsServer, waitForHttp, type TestDatabase, type TestNatsServer } from '../harness/index.js'
import { fixture, fixtureSecrets, readInbound, tenantsDir } from './running-ingest.js'

const ENTRY = 'services/ingest/src/main.ts'


function webhook(messageId: string): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'waba-valdoro',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: fixture.valdoro.whatsapp.slice(1), phone_number_id: fixture.valdoro.phoneNumberId },
              messages: [{ from: '393471234567', id: messageId, timestamp: '1767225600', type: 'text', text: { body: 'ciao' } }],
            },
          },
        ],
      },
    ],
  })
}

describe('ingest as its own process', () => {
  let nats: TestNatsServer
  let database: TestDatabase
  let nc: NatsConnection
  let tenantsCopy: string
  let env: Record<string, string>

  beforeAll(async () => {
    nats = await startNatsServer()
    database = await createTestDatabase()
    nc = await connectNats({ servers: nats.url, name: 'process-test', logger: captureLogs().logger })
    tenantsCopy = mkdtempSync(join(tmpdir(), 'banditore-tenants-'))
    cpSync(tenantsDir, tenantsCopy, { recursive: true })
    env = { NATS_URL: nats.url, DATABASE_URL: database.url, TENANTS_DIR: tenantsCopy, LOG_LEVEL: 'info', ...fixtureSecrets }
  })
  afterAll(async () => {
    await nc?.drain()
    await nats?.dispose()
    await database?.drop()
    if (tenantsCopy) rmSync(tenantsCopy, { recursive: true, force: true })
  })

  it('finishes the webhooks in flight and exits 0 within 10 s of SIGTERM', async () => {
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const proc = spawnService(ENTRY, { ...env, PORT: String(port), PUBLIC_BASE_URL: url })
    try {
      await waitForHttp(`${url}/readyz`, 200, 60_000, () => proc.child.exitCode === null)
    } catch (error) {
      proc.child.kill('SIGKILL')
      throw new Error(`${String(error)}\n--- output ---\n${proc.output()}`, { cause: error })
    }
    const post = async (id: string) => {
      const body = webhook(id)
      try {
        const response = await fetch(`${url}/webhooks/whatsapp`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppPayload(body, fixtureSecrets.VALDORO_WA_SECRET) },
        })
        return response.status
      } catch {
        return 0
      }
    }
    expect(await post('wamid.before-sigterm')).toBe(200)

    // A burst on keep-alive connections, in flight when the signal arrives: shutdown must not
    // wait for those connections' keep-alive timeout.
    const burst = Array.from({ length: 50 }, (_, i) => post(`wamid.burst-${i}`).then((status) => [`wamid.burst-${i}`, status] as const))
    await Promise.race(burst)
    const ended = await proc.signal('SIGTERM')
    const outcomes = await Promise.all(burst)

    expect(ended, proc.output()).toMatchObject({ code: 0 })
    expect(ended.afterMs).toBeLessThan(10_000)
    expect(proc.output()).toContain('"msg":"stopped"')
    const stored = new Set((await readInbound(nc, 'inbound.message.valdoro')).map((m) => m.json.providerMessageId))
    expect(stored.has('wamid.before-sigterm')).toBe(true)
    // Whatever was answered 200 is stored; the rest was refused and will be retried.
    for (const [id, status] of outcomes) if (status === 200) expect(stored.has(id)).toBe(true)
  })

  it.each([
    ['PORT', 'abc', /^ingest: configuration error: PORT must be integer \(got "abc"\)/],
    ['PUBLIC_BASE_URL', 'ingest.example.org/', /^ingest: configuration error: PUBLIC_BASE_URL must match pattern/],
    ['PAPER_FORM_TOKENS', 'anna:short', /^ingest: configuration error: PAPER_FORM_TOKENS must match pattern/],
  ])('refuses a bad %s with one line naming it and exit code 2', async (variable, value, line) => {
    const proc = spawnService(ENTRY, { ...env, [variable]: value })
    const ended = await proc.exited
    expect(ended.code).toBe(2)
    const lines = proc.output().trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(line)
    // Secrets are never echoed.
    if (variable === 'PAPER_FORM_TOKENS') expect(proc.output()).not.toContain('short')
  })
})
