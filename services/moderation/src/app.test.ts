import type { NatsConnection } from '@nats-io/transport-node'
import { createLogger } from '@banditore/platform'
import { describe, expect, it } from 'vitest'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { RulesetStore } from './ruleset/ruleset-store.js'
import { InMemorySenderHistoryStore } from './sender/sender-history-store.js'
import { seedProfiles, shippedFiles, shippedRuleset, withFile } from './testing/shipped-ruleset.js'

// Only what the health routes touch of a connection; the consumer is not started here.
const nc = { isClosed: () => false, flush: async () => undefined, rtt: async () => 1 } as unknown as NatsConnection

describe('buildApp', () => {
  it('serves health, readiness and metrics without a port', async () => {
    const store = new RulesetStore(await shippedRuleset(), await seedProfiles())
    const app = buildApp(loadConfig({}), { logger: createLogger({ service: 'moderation', level: 'silent' }), nc, store, senders: new InMemorySenderHistoryStore() })
    try {
      expect((await app.server.inject('/healthz')).json()).toEqual({ status: 'ok', service: 'moderation' })
      const ready = await app.server.inject('/readyz')
      expect(ready.statusCode).toBe(503)
      expect(ready.json()).toMatchObject({ checks: { nats: 'ok', consumer: 'failing: not consuming inbound messages' } })

      await store.load(withFile(await shippedFiles(), 'default/inbound/insults.json', '{'), 'test')
      const metrics = (await app.server.inject('/metrics')).body
      expect(metrics).toContain(`moderation_ruleset_info{version="${store.current.version}",service="moderation"} 1`)
      expect(metrics).toContain('moderation_ruleset_loads_total{outcome="refused",service="moderation"} 1')
    } finally {
      await app.server.close()
    }
  })
})
