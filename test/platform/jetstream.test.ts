import { DeadLetterHeaders, Streams, Subjects } from '@banditore/contracts'
import { connectNats, consumeDurable, DurablePublisher, ensureStreams, PermanentMessageError } from '@banditore/platform'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureLogs, startNatsServer, type TestNatsServer } from '../harness/index.js'

const streams = [Streams.inbound, Streams.deadLetter]
const encode = (s: string) => new TextEncoder().encode(s)
const decode = (b: Uint8Array) => new TextDecoder().decode(b)

describe('JetStream plumbing on a real nats-server', () => {
  let server: TestNatsServer
  let nc: NatsConnection
  const { logger } = captureLogs()

  beforeAll(async () => {
    server = await startNatsServer()
    nc = await connectNats({ servers: server.url, name: 'test', logger })
    await ensureStreams(nc, streams)
  })
  afterAll(async () => {
    await nc?.drain()
    await server?.dispose()
  })

  it('declares streams idempotently, also from instances starting at once', async () => {
    await Promise.all([ensureStreams(nc, streams), ensureStreams(nc, streams), ensureStreams(nc, streams)])
    const jsm = await jetstreamManager(nc)
    const info = await jsm.streams.info(Streams.inbound.name)
    expect(info.config.subjects).toEqual([...Streams.inbound.subjects])
    expect(info.config.duplicate_window).toBe(Streams.inbound.duplicateWindowSeconds * 1e9)
  })

  it('drops a second publish with the same message id', async () => {
    const publisher = new DurablePublisher(nc)
    const first = await publisher.publish(Subjects.inboundMessage('dedupe'), encode('a'), { msgId: 'm-1' })
    const second = await publisher.publish(Subjects.inboundMessage('dedupe'), encode('a'), { msgId: 'm-1' })
    expect(first.duplicate).toBe(false)
    expect(second.duplicate).toBe(true)
    expect(second.seq).toBe(first.seq)
  })

  it('acks handled messages and retries a failing one until it succeeds', async () => {
    const publisher = new DurablePublisher(nc)
    const seen: string[] = []
    let failures = 0
    const consumer = await consumeDurable(
      nc,
      { stream: Streams.inbound.name, durable: 'retry-test', filterSubject: Subjects.inboundMessage('retry'), backoffMs: [50], maxDeliver: 5 },
      async (msg) => {
        const body = decode(msg.data)
        if (body === 'flaky' && failures < 2) {
          failures++
          throw new Error('transient')
        }
        seen.push(body)
      },
      logger,
    )
    await publisher.publish(Subjects.inboundMessage('retry'), encode('ok'), { msgId: 'r-1' })
    await publisher.publish(Subjects.inboundMessage('retry'), encode('flaky'), { msgId: 'r-2' })
    await expect.poll(() => seen.slice().sort(), { timeout: 5000 }).toEqual(['flaky', 'ok'])
    expect(failures).toBe(2)
    await consumer.stop()
    const info = await (await jetstreamManager(nc)).consumers.info(Streams.inbound.name, 'retry-test')
    expect(info.num_ack_pending).toBe(0)
    expect(info.num_pending).toBe(0)
  })

  it('dead-letters a message that fails on every delivery, and a permanent failure at once', async () => {
    const publisher = new DurablePublisher(nc)
    const attempts = new Map<string, number>()
    const consumer = await consumeDurable(
      nc,
      { stream: Streams.inbound.name, durable: 'dlq-test', filterSubject: Subjects.inboundMessage('dlq'), backoffMs: [20], maxDeliver: 3 },
      async (msg) => {
        const body = decode(msg.data)
        attempts.set(body, (attempts.get(body) ?? 0) + 1)
        if (body === 'poison') throw new Error('always fails')
        if (body === 'invalid') throw new PermanentMessageError('violates its contract')
      },
      logger,
    )
    await publisher.publish(Subjects.inboundMessage('dlq'), encode('poison'), { msgId: 'd-1' })
    await publisher.publish(Subjects.inboundMessage('dlq'), encode('invalid'), { msgId: 'd-2' })

    const js = jetstream(nc)
    const jsm = await jetstreamManager(nc)
    await jsm.consumers.add(Streams.deadLetter.name, { durable_name: 'inspect', filter_subject: Subjects.deadLetter(Streams.inbound.name, 'dlq-test') })
    const inspector = await js.consumers.get(Streams.deadLetter.name, 'inspect')
    const parked: { body: string; deliveries: string | undefined; error: string | undefined; subject: string | undefined }[] = []
    await expect
      .poll(
        async () => {
          const m = await inspector.next({ expires: 1000 })
          if (m) {
            parked.push({
              body: decode(m.data),
              deliveries: m.headers?.get(DeadLetterHeaders.deliveries),
              error: m.headers?.get(DeadLetterHeaders.error),
              subject: m.headers?.get(DeadLetterHeaders.subject),
            })
            m.ack()
          }
          return parked.length
        },
        { timeout: 10_000 },
      )
      .toBe(2)
    await consumer.stop()
    const byBody = Object.fromEntries(parked.map((p) => [p.body, p]))
    expect(byBody.poison).toMatchObject({ deliveries: '3', error: 'always fails', subject: 'inbound.message.dlq' })
    expect(byBody.invalid).toMatchObject({ deliveries: '1', error: 'violates its contract' })
    expect(attempts.get('poison')).toBe(3)
    expect(attempts.get('invalid')).toBe(1)
  })

  it('stop() waits for the message in flight and leaves the rest for the next instance', async () => {
    const publisher = new DurablePublisher(nc)
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const handled: string[] = []
    let entered = false
    const consumer = await consumeDurable(
      nc,
      { stream: Streams.inbound.name, durable: 'stop-test', filterSubject: Subjects.inboundMessage('stop'), ackWaitMs: 2000 },
      async (msg) => {
        entered = true
        await gate
        handled.push(decode(msg.data))
      },
      logger,
    )
    await publisher.publish(Subjects.inboundMessage('stop'), encode('first'), { msgId: 's-1' })
    // The message is in flight: its handler holds it.
    await expect.poll(() => entered, { timeout: 30_000 }).toBe(true)
    const stopping = consumer.stop()
    release()
    await stopping
    expect(handled).toEqual(['first'])
    const info = await (await jetstreamManager(nc)).consumers.info(Streams.inbound.name, 'stop-test')
    expect(info.num_ack_pending).toBe(0)
  })

  it('keeps a message its handler still holds from being redelivered, however long past ack_wait', async () => {
    const publisher = new DurablePublisher(nc)
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const held: number[] = []
    let sentinel = 0
    const consumer = await consumeDurable(
      nc,
      // ack_wait 1 s; the sentinel's retry comes 4 s (four ack_waits) after its first delivery.
      { stream: Streams.inbound.name, durable: 'held-test', filterSubject: Subjects.inboundMessage('held'), ackWaitMs: 1000, backoffMs: [4000], maxDeliver: 5, concurrency: 4 },
      async (msg) => {
        if (decode(msg.data) === 'sentinel') {
          if (++sentinel === 1) throw new Error('come back later')
          release()
          return
        }
        held.push(msg.info.deliveryCount)
        // Redelivered while held: the failure this test is about; it ends the wait.
        if (msg.info.deliveryCount > 1) release()
        await gate
      },
      logger,
    )
    await publisher.publish(Subjects.inboundMessage('held'), encode('held'), { msgId: 'h-1' })
    await expect.poll(() => held.length, { timeout: 30_000 }).toBe(1)
    await publisher.publish(Subjects.inboundMessage('held'), encode('sentinel'), { msgId: 'h-2' })
    // The server's own clock says when four ack_waits went by: the sentinel's redelivery.
    await gate
    await consumer.stop()
    expect(held).toEqual([1])
    expect(sentinel).toBe(2)
    const info = await (await jetstreamManager(nc)).consumers.info(Streams.inbound.name, 'held-test')
    expect(info.num_ack_pending).toBe(0)
  })
})
