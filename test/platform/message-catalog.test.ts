import { Consumers, DeadLetterHeaders, Events, Streams, Subjects, type ConsumerKind, type InboundMessage } from '@banditore/contracts'
import { connectNats, consume, DurablePublisher, ensureStreams } from '@banditore/platform'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureLogs, startNatsServer, type TestNatsServer } from '../harness/index.js'

const message = (id: string, tenant: string): InboundMessage => ({
  version: 1,
  id,
  tenant,
  channel: 'whatsapp',
  provider: 'whatsapp-cloud',
  providerMessageId: id.split(':')[1] ?? id,
  from: '+393331234567',
  to: '+393667760789',
  type: 'text',
  text: 'ciao',
  sentAt: '2026-03-11T09:00:00.000Z',
  receivedAt: '2026-03-11T09:00:01.000Z',
})

describe('the message catalog', () => {
  it('names each consumer once, on a subject its stream keeps', () => {
    const entries: ConsumerKind[] = [
      ...Object.values(Consumers).filter((c): c is Exclude<typeof c, (tenant: string) => unknown> => typeof c !== 'function'),
      Consumers.subscriptionsVerdicts('corbetta'),
    ]
    const durables = entries.map((c) => `${c.event.stream.name}/${c.durable}`)
    expect(new Set(durables).size).toBe(durables.length)
    for (const entry of entries) {
      const covered = entry.event.stream.subjects.some((pattern) => {
        const p = pattern.split('.')
        const s = entry.filterSubject.split('.')
        return p.length === s.length && p.every((token, i) => token === '*' || token === s[i])
      })
      expect(covered, `${entry.durable} reads ${entry.filterSubject}, which ${entry.event.stream.name} does not keep`).toBe(true)
    }
    expect(Events.inboundMessage.subject('ancona')).toBe(Subjects.inboundMessage('ancona'))
  })
})

describe('consume() on a real nats-server', () => {
  let server: TestNatsServer
  let nc: NatsConnection
  const { logger } = captureLogs()

  beforeAll(async () => {
    server = await startNatsServer()
    nc = await connectNats({ servers: server.url, name: 'test', logger })
    await ensureStreams(nc, [Streams.inbound, Streams.deadLetter])
  })
  afterAll(async () => {
    await nc?.drain()
    await server?.dispose()
  })

  it('hands the handler decoded payloads and dead-letters one that breaks the contract, at once', async () => {
    const publisher = new DurablePublisher(nc)
    const seen: { id: string; subject: string }[] = []
    let handlerCalls = 0
    const consumer = await consume(
      nc,
      Consumers.moderation,
      async (payload, { subject }) => {
        handlerCalls++
        seen.push({ id: payload.id, subject })
      },
      logger,
      { durable: 'catalog-test', backoffMs: [20] },
    )
    await publisher.publish(Subjects.inboundMessage('corbetta'), Events.inboundMessage.contract.encode(message('whatsapp-cloud:wamid.1', 'corbetta')), { msgId: 'c-1' })
    await publisher.publish(Subjects.inboundMessage('corbetta'), new TextEncoder().encode('{"version":1,"id":"x"}'), { msgId: 'c-2' })
    await publisher.publish(Subjects.inboundMessage('corbetta'), new TextEncoder().encode('not json'), { msgId: 'c-3' })

    const jsm = await jetstreamManager(nc)
    await jsm.consumers.add(Streams.deadLetter.name, {
      durable_name: 'inspect-catalog',
      filter_subject: Subjects.deadLetter(Streams.inbound.name, 'catalog-test'),
    })
    const inspector = await jetstream(nc).consumers.get(Streams.deadLetter.name, 'inspect-catalog')
    const parked: { deliveries: string | undefined; error: string | undefined }[] = []
    await expect
      .poll(
        async () => {
          const m = await inspector.next({ expires: 1000 })
          if (m) {
            parked.push({ deliveries: m.headers?.get(DeadLetterHeaders.deliveries), error: m.headers?.get(DeadLetterHeaders.error) })
            m.ack()
          }
          return parked.length
        },
        { timeout: 20_000 },
      )
      .toBe(2)
    await expect.poll(() => seen.length, { timeout: 20_000 }).toBe(1)
    await consumer.stop()

    expect(seen).toEqual([{ id: 'whatsapp-cloud:wamid.1', subject: 'inbound.message.corbetta' }])
    expect(handlerCalls).toBe(1)
    for (const p of parked) {
      expect(p.deliveries).toBe('1')
      expect(p.error).toMatch(/violates the InboundMessage contract/)
    }
  })
})
