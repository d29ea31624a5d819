import { loadTenantDirectory } from '@banditore/platform'
import type { Tenant } from '@banditore/contracts'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  startPostgresServer,
  startTemporalServer,
  startWorld,
  waitUntil,
  type TestPostgresServer,
  type TestTemporalServer,
  type World,
  type WorldServiceName,
} from '../harness/index.js'

const tenantsDir = fileURLToPath(new URL('../../tenants', import.meta.url))
const SERVICES: WorldServiceName[] = ['ingest', 'moderation', 'subscriptions', 'broadcast', 'worker']

interface Readiness {
  status: number
  checks: Record<string, string>
}

/**
 * What a database failover, a broker restart and a Temporal upgrade do to the platform: every
 * deployable runs as its own process (its real main.ts) against a PostgreSQL, a nats-server and
 * a Temporal server of this file's own, and each of the three is stopped and started again while
 * citizens write. No process may exit; each one that depends on the stopped server says so on
 * /readyz (503, naming the check) and becomes ready again by itself; what citizens wrote before
 * and during the outage is answered once the server is back.
 */
describe('every process through restarts of PostgreSQL, NATS and Temporal', () => {
  let postgres: TestPostgresServer
  let temporal: TestTemporalServer
  let world: World
  let ancona: Tenant
  let citizen = 0
  const newCitizen = () => `+39347${String(5_300_000 + ++citizen).padStart(7, '0')}`

  beforeAll(async () => {
    ancona = (await loadTenantDirectory(tenantsDir)).get('ancona')!
    ;[postgres, temporal] = await Promise.all([startPostgresServer(), startTemporalServer()])
    world = await startWorld({
      services: SERVICES,
      mode: 'process',
      postgresUrl: postgres.url,
      temporalAddress: temporal.address,
      // Meta retries a webhook nobody took for days; a few minutes covers these outages.
      simulator: { options: { callbackMaxAttempts: 14 } },
    })
  }, 300_000)
  afterAll(async () => {
    await world?.stop()
    await temporal?.dispose()
    await postgres?.dispose()
  })

  const readiness = async (name: WorldServiceName): Promise<Readiness> => {
    try {
      const response = await fetch(`${world.url(name)}/readyz`)
      return { status: response.status, checks: ((await response.json()) as { checks: Record<string, string> }).checks }
    } catch (error) {
      return { status: 0, checks: { http: String(error) } }
    }
  }
  const exited = () =>
    SERVICES.filter((name) => world.services[name]?.process?.child.exitCode !== null).map(
      (name) => `${name} exited:\n${world.services[name]?.process?.output().slice(-30000)}`,
    )
  /** A citizen writes ISCRIVIMI to Ancona; resolves once the provider handed the webhook over. */
  const subscribe = async (phone: string) => {
    const response = await fetch(`${world.url('simulator')}/_sim/inbound/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: ancona.channels.whatsapp!.number, from: phone, text: 'ISCRIVIMI' }),
    })
    return { status: response.status, body: await response.text() }
  }
  const welcomed = async (phone: string) => {
    const welcome = ancona.texts.it!.welcome!.split('{')[0]!.trim()
    const response = await fetch(`${world.url('simulator')}/_sim/messages?to=${encodeURIComponent(phone)}`)
    const { messages } = (await response.json()) as { messages: Array<{ text?: string }> }
    return messages.filter((m) => m.text?.startsWith(welcome)).length
  }

  const dependencies = [
    { check: 'postgres', stop: () => postgres.stop(), start: () => postgres.start() },
    { check: 'nats', stop: () => world.nats.stop(), start: () => world.nats.start() },
    { check: 'temporal', stop: () => temporal.stop(), start: () => temporal.start() },
  ]

  it.each(dependencies)('$check: stopped and started mid-work, no process exits and every citizen is answered once', async (dependency) => {
    const dependents: WorldServiceName[] = []
    for (const name of SERVICES) {
      const ready = await readiness(name)
      expect(ready.status, `${name}: ${JSON.stringify(ready.checks)}`).toBe(200)
      if (dependency.check in ready.checks) dependents.push(name)
    }
    expect(dependents.length).toBeGreaterThan(0)

    const before = newCitizen()
    const during = newCitizen()
    expect((await subscribe(before)).status).toBe(200)
    await dependency.stop()
    // Written while the server is down: the provider keeps retrying its webhook.
    const writing = subscribe(during)

    try {
      const outcome = await waitUntil(
        async (): Promise<string | true> => {
          const gone = exited()
          if (gone.length > 0) return gone.join('\n')
          const states = await Promise.all(dependents.map(async (name) => [name, await readiness(name)] as const))
          const notYet = states.filter(([, r]) => !(r.status === 503 && r.checks[dependency.check]?.startsWith('failing')))
          // Thrown, not returned: on timeout the error names who still reports what.
          if (notYet.length > 0) throw new Error(`not yet: ${JSON.stringify(Object.fromEntries(notYet))}`)
          return true
        },
        { timeoutMs: 60_000, what: `${dependents.join(', ')} to report ${dependency.check} failing` },
      )
      expect(outcome, 'a process exited while the dependency was down').toBe(true)
    } finally {
      // Started again whatever happened, so that one failure does not become three.
      await dependency.start()
    }
    await waitUntil(async () => (await Promise.all(SERVICES.map(readiness))).every((r) => r.status === 200), {
      timeoutMs: 120_000,
      what: `every service to be ready again after ${dependency.check} came back`,
    })
    expect((await writing).status).toBe(200)
    await waitUntil(async () => (await welcomed(before)) >= 1 && (await welcomed(during)) >= 1, {
      timeoutMs: 120_000,
      what: 'both citizens to receive the welcome',
    })
    // Answered once each: the retried webhook and the redelivered messages were deduplicated.
    expect([await welcomed(before), await welcomed(during)]).toEqual([1, 1])
    expect(exited()).toEqual([])
  }, 600_000)
})
