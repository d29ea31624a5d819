import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { Consumers, SenderHistoryKv, Streams, Subjects, type InboundMessage, type ModerationVerdict } from '@banditore/contracts'
import { connectNats, DurablePublisher, ensureStreams, startService, type Logger } from '@banditore/platform'
import { KvSenderHistoryStore, moderationService, openSenderHistoryBucket } from '@banditore/moderation'
import { jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureLogs, startNatsServer, type TestNatsServer } from '../harness/index.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const T0 = Date.parse('2026-03-11T09:00:00.000Z')

type Instance = Awaited<ReturnType<typeof startService>>

/** One setup: a private nats-server, a connection to publish and read, the instances on it. */
interface Setup {
  nats: TestNatsServer
  nc: NatsConnection
  instances: Instance[]
}

const env = (nats: TestNatsServer): NodeJS.ProcessEnv => ({
  NATS_URL: nats.url,
  TENANTS_DIR: join(root, 'tenants'),
  RULES_DIR: join(root, 'rules'),
  RULESET_SOURCE: 'none',
  LOG_LEVEL: 'warn',
  // SENDER_HISTORY left to its default: kv.
})

let sequence = 0
const inbound = (tenant: string, from: string, text: string, at: number): InboundMessage => {
  const n = ++sequence
  const when = new Date(at).toISOString()
  return {
    version: 1,
    id: `whatsapp-cloud:wamid.replica${n}`,
    tenant,
    channel: 'whatsapp',
    provider: 'whatsapp-cloud',
    providerMessageId: `wamid.replica${n}`,
    from,
    to: '+393330000001',
    type: 'text',
    text,
    sentAt: when,
    receivedAt: when,
  }
}

/**
 * The same traffic for both setups, in stream order: a repeat offender, a flood from one sender,
 * and several senders interleaved between them (with duplicates), all timestamped so that rates,
 * duplicates and violation counts depend on the sender's earlier messages.
 */
function traffic(): InboundMessage[] {
  const offender = '+393471000001'
  const flooder = '+393471000002'
  const repeater = '+393471000003'
  const burster = '+393471000004'
  const offender2 = '+393471000005'
  const others = ['+393471000010', '+393471000011', '+393471000012', '+393471000013', '+393471000014']
  const insults = ['Siete dei coglioni', 'Sindaco imbecille', 'Vaffanculo voi e il vostro servizio', 'Siete dei coglioni', 'Sindaco imbecille', 'Ancora: siete dei coglioni']
  const questions = [
    'Quando passa il camion della differenziata?',
    'A che ora apre l’anagrafe domani?',
    'Vendo bici usata a 50 euro, scrivetemi',
    'Quando passa il camion della differenziata?',
    'Grazie per l’avviso sulla neve',
    'Quando passa il camion della differenziata?',
  ]
  const out: InboundMessage[] = []
  let at = T0
  for (let round = 0; round < 20; round++) {
    at += 2000
    // The flood: one sender, a message every 2 seconds, for 40 seconds.
    out.push(inbound('ancona', flooder, `Segnalo per la ${round + 1}a volta la buca in via Roma davanti al civico ${round + 3}`, at))
    if (round < insults.length) out.push(inbound('corbetta', offender, insults[round] as string, at + 100))
    // The same text again and again: a duplicate from the third one on.
    if (round % 3 === 0) out.push(inbound('magenta', repeater, 'Quando riaprono la biblioteca comunale?', at + 150))
    const other = others[round % others.length] as string
    out.push(inbound(round % 2 === 0 ? 'corbetta' : 'ancona', other, questions[round % questions.length] as string, at + 200))
    // Bursts: one sender's messages next to each other in the stream, where two replicas would
    // each take some of them at the same moment.
    if (round === 10) for (let i = 0; i < 8; i++) out.push(inbound('ancona', burster, `Rispondete! Messaggio ${i + 1} sulla fognatura di via Verdi`, at + 10 + i))
    if (round === 15) for (let i = 0; i < 4; i++) out.push(inbound('corbetta', offender2, i % 2 ? 'Siete dei coglioni' : 'Sindaco imbecille', at + 10 + i))
    // The same sender twice in a row: the second must see the first.
    if (round % 4 === 0) out.push(inbound('corbetta', other, questions[round % questions.length] as string, at + 300))
  }
  return out
}

async function publishAll(nc: NatsConnection, messages: readonly InboundMessage[]): Promise<void> {
  const publisher = new DurablePublisher(nc)
  for (const m of messages) {
    await publisher.publish(Subjects.inboundMessage(m.tenant), new TextEncoder().encode(JSON.stringify(m)), { msgId: m.id })
  }
}

/** Every verdict of the MODERATION stream, once `count` are stored. */
async function verdictsOf(nc: NatsConnection, count: number, timeoutMs = 60_000): Promise<Map<string, ModerationVerdict>> {
  const jsm = await jetstreamManager(nc)
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const info = await jsm.streams.info(Streams.moderation.name)
    if (info.state.messages >= count) break
    if (Date.now() > deadline) throw new Error(`${info.state.messages} verdicts of ${count} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const verdicts = new Map<string, ModerationVerdict>()
  const info = await jsm.streams.info(Streams.moderation.name)
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const stored = await jsm.streams.getMessage(Streams.moderation.name, { seq })
    if (!stored) continue
    const verdict = stored.json<ModerationVerdict>()
    verdicts.set(verdict.messageId, verdict)
  }
  return verdicts
}

/** Verdicts decided by one instance, from its /metrics. */
async function decidedBy(instance: Instance): Promise<number> {
  const response = await instance.http.inject({ method: 'GET', url: '/metrics' })
  let total = 0
  for (const line of response.body.split('\n')) {
    if (line.startsWith('moderation_verdicts_total{')) total += Number(line.split(' ').at(-1))
  }
  return total
}

const outcome = (v: ModerationVerdict) => ({ action: v.action, categories: v.categories, rules: v.rules, explanations: v.explanations })

describe('moderation replicas behind one stream and durable consumer', () => {
  let logger: Logger
  const setups: Setup[] = []

  const newSetup = async (): Promise<Setup> => {
    const nats = await startNatsServer()
    const nc = await connectNats({ servers: nats.url, name: 'moderation-replicas-test', logger })
    await ensureStreams(nc, [Streams.inbound, Streams.moderation, Streams.deadLetter])
    const setup: Setup = { nats, nc, instances: [] }
    setups.push(setup)
    return setup
  }

  beforeAll(() => {
    logger = captureLogs('moderation-replicas-test', 'warn').logger
  })
  afterAll(async () => {
    for (const setup of setups) {
      for (const instance of setup.instances) await instance.shutdown().catch(() => undefined)
      await setup.nc.drain().catch(() => undefined)
      await setup.nats.dispose()
    }
  })

  describe('KvSenderHistoryStore on a real nats-server', () => {
    let nats: TestNatsServer
    let connections: NatsConnection[]
    beforeAll(async () => {
      const setup = await newSetup()
      nats = setup.nats
      connections = [setup.nc, await connectNats({ servers: nats.url, name: 'moderation-replicas-test-2', logger })]
    })
    afterAll(async () => {
      await connections[1]?.drain()
    })

    const storesOn = async (bucketName: string) => {
      const buckets = await Promise.all(connections.map((nc) => openSenderHistoryBucket(nc, bucketName, { ttlMs: 60 * 60_000 })))
      return buckets.map((bucket) => new KvSenderHistoryStore(bucket))
    }

    it('records a message once per id and returns the sender’s history to any store on the bucket', async () => {
      const [a, b] = (await storesOn('history-basic')) as [KvSenderHistoryStore, KvSenderHistoryStore]
      await a.record('ancona', '+393331112233', { messageId: 'm1', at: T0 - 2000, text: 'uno', violation: true })
      await b.record('ancona', '+393331112233', { messageId: 'm1', at: T0 - 2000, text: 'uno', violation: true })
      await b.record('ancona', '+393331112233', { messageId: 'm2', at: T0 - 1000, text: 'due', violation: false })
      const history = await a.historyOf('ancona', '+393331112233', T0)
      expect(history.recentMessages.map((m) => m.text)).toEqual(['uno', 'due'])
      expect(history.pastViolations).toBe(1)
      expect([...(await b.recordedIds('ancona', '+393331112233'))].sort()).toEqual(['m1', 'm2'])
      expect(await a.historyOf('corbetta', '+393331112233', T0)).toEqual({ recentMessages: [], pastViolations: 0 })
    })

    it('loses nothing when writers on two connections record one sender at once (compare-and-set)', async () => {
      const stores = await storesOn('history-concurrent')
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (stores[i % 2] as KvSenderHistoryStore).record('t', '+393331112233', { messageId: `m${i}`, at: T0 - 60_000 + i, text: `m ${i}`, violation: i % 3 === 0 }),
        ),
      )
      const history = await stores[1]!.historyOf('t', '+393331112233', T0)
      expect(history.recentMessages).toHaveLength(30)
      expect(history.recentMessages.map((m) => m.at)).toEqual([...history.recentMessages.map((m) => m.at)].sort((x, y) => x - y))
      expect(history.pastViolations).toBe(10)
    })

    it('relies on the server refusing a write on a moved revision', async () => {
      const bucket = await openSenderHistoryBucket(connections[0]!, 'history-cas', { ttlMs: 60_000 })
      const first = await bucket.create('k', 'a')
      await bucket.update('k', 'b', first)
      await expect(bucket.update('k', 'c', first)).rejects.toThrow()
      await expect(bucket.create('k', 'd')).rejects.toThrow()
    })
  })

  it('gives the same verdicts with two replicas as with one, with the default kv sender history', async () => {
    const messages = traffic()
    const replicated = await newSetup()
    const single = await newSetup()
    // Two replicas on one server, behind the same stream and durable consumer.
    replicated.instances.push(
      ...(await Promise.all([0, 1].map(() => startService(moderationService, env(replicated.nats), { installSignals: false })))),
    )
    single.instances.push(await startService(moderationService, env(single.nats), { installSignals: false }))
    for (const instance of [...replicated.instances, ...single.instances]) expect(instance.describe).toMatchObject({ senderHistory: 'kv' })

    await Promise.all([publishAll(replicated.nc, messages), publishAll(single.nc, messages)])
    const [two, one] = await Promise.all([verdictsOf(replicated.nc, messages.length), verdictsOf(single.nc, messages.length)])

    // The bucket exists, created at start with the stream replicas setting.
    const bucket = await (await jetstreamManager(replicated.nc)).streams.info(`KV_${SenderHistoryKv.bucket}`)
    expect(bucket.config.num_replicas).toBe(1)
    // Both replicas decided part of the traffic.
    const shares = await Promise.all(replicated.instances.map(decidedBy))
    expect(shares.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(messages.length)
    expect(Math.min(...shares)).toBeGreaterThan(0)

    for (const m of messages) {
      const a = two.get(m.id)
      const b = one.get(m.id)
      expect(a, m.id).toBeDefined()
      expect(b, m.id).toBeDefined()
      expect({ id: m.id, ...outcome(a as ModerationVerdict) }).toEqual({ id: m.id, ...outcome(b as ModerationVerdict) })
    }
    // The traffic really depends on history: the flood, the duplicates and the repeat offender.
    const rulesFired = new Set([...one.values()].flatMap((v) => v.rules))
    for (const rule of ['spam-flooding', 'spam-flooding-severe', 'spam-duplicate', 'repeat-offender']) expect([...rulesFired]).toContain(rule)
    // Every message acknowledged: none left waiting for redelivery.
    const jsm = await jetstreamManager(replicated.nc)
    expect((await jsm.consumers.info(Streams.inbound.name, Consumers.moderation.durable)).num_ack_pending).toBe(0)
  }, 120_000)
})
