import { freePort } from '../harness/index.js'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createTestDatabase, spawnService, startNatsServer, waitForHttp, type TestDatabase, type TestNatsServer } from '../harness/index.js'

/** Every deployable process and its entry. */
const services = [
  { name: 'ingest', entry: 'services/ingest/src/main.ts' },
  { name: 'worker', entry: 'workflows/src/main.ts' },
  { name: 'moderation', entry: 'services/moderation/src/main.ts' },
  { name: 'subscriptions', entry: 'services/subscriptions/src/main.ts' },
  { name: 'broadcast', entry: 'services/broadcast/src/main.ts' },
]

const tenantsDir = fileURLToPath(new URL('../../tenants', import.meta.url))


describe('every service as its own process', () => {
  let nats: TestNatsServer
  let database: TestDatabase
  let baseEnv: Record<string, string>

  beforeAll(async () => {
    nats = await startNatsServer()
    database = await createTestDatabase()
    baseEnv = {
      NATS_URL: nats.url,
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TENANTS_DIR: tenantsDir,
      LOG_LEVEL: 'info',
      TEST_WA_TOKEN: 'test-access-token',
      TEST_WA_SECRET: 'test-app-secret',
      TEST_SMS_SID: 'ACtest',
      TEST_SMS_TOKEN: 'test-auth-token',
      RULES_DIR: fileURLToPath(new URL('../../rules', import.meta.url)),
      SUBSCRIBER_HASH_KEY: 'test-subscriber-hash-key-0123456789abcdef',
    }
  })
  afterAll(async () => {
    await nats?.dispose()
    await database?.drop()
  })

  describe.each(services)('$name', ({ entry }) => {
    it('starts, reports ready, and stops cleanly within 10 s of SIGTERM', async () => {
      const port = await freePort()
      const proc = spawnService(entry, { ...baseEnv, PORT: String(port) })
      try {
        await waitForHttp(`http://127.0.0.1:${port}/readyz`, 200, 60_000, () => proc.child.exitCode === null)
        const health = await fetch(`http://127.0.0.1:${port}/healthz`)
        expect(health.status).toBe(200)
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
        expect(metrics).toContain('process_cpu_user_seconds_total')
      } catch (error) {
        proc.child.kill('SIGKILL')
        throw new Error(`${String(error)}\n--- output ---\n${proc.output()}`, { cause: error })
      }
      const ended = await proc.signal('SIGTERM')
      expect(ended, proc.output()).toMatchObject({ code: 0 })
      expect(ended.afterMs).toBeLessThan(10_000)
      expect(proc.output()).toContain('"msg":"stopped"')
    })

    it('refuses a bad environment variable with one line naming it', async () => {
      const proc = spawnService(entry, { ...baseEnv, PORT: 'eighty' })
      const ended = await proc.exited
      expect(ended.code).toBe(2)
      const lines = proc.output().trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/configuration error: PORT must be integer \(got "eighty"\)/)
    })
  })
})
