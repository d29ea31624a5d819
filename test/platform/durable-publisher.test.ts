import { Streams } from '@banditore/contracts'
import { connectNats, DurablePublisher, ensureStreams, PublishNotAcknowledgedError } from '@banditore/platform'
import { jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureLogs, startNatsServer, type TestNatsServer } from '../harness/index.js'

const bytes = (s: string) => new TextEncoder().encode(s)

describe('DurablePublisher on a real nats-server', () => {
  let server: TestNatsServer
  let nc: NatsConnection
  let publisher: DurablePublisher

  beforeAll(async () => {
    server = await startNatsServer()
    nc = await connectNats({ servers: server.url, name: 'ack-publisher-test', logger: captureLogs().logger })
    await ensureStreams(nc, [Streams.inbound])
    publisher = new DurablePublisher(nc, { timeoutMs: 1000, sweepEveryMs: 20 })
  })
  afterAll(async () => {
    publisher?.close()
    await nc?.drain()
    await server?.dispose()
  })

  it('resolves once stored, and reports a repeated Nats-Msg-Id as a duplicate', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => publisher.publish('inbound.message.acks', bytes(`m${i % 100}`), { msgId: `ack-${i % 100}` })))
    expect(results.filter((r) => !r.duplicate)).toHaveLength(100)
    expect(results.filter((r) => r.duplicate)).toHaveLength(100)
    const info = await (await jetstreamManager(nc)).streams.info(Streams.inbound.name, { subjects_filter: 'inbound.message.acks' })
    expect(info.state.subjects?.['inbound.message.acks']).toBe(100)
  })

  it('stores the headers it was given beside its Nats-Msg-Id', async () => {
    const ack = await publisher.publish('inbound.message.headers', bytes('h'), { msgId: 'hdr-1', headers: { 'Banditore-Reason': 'prova' } })
    const stored = await (await jetstreamManager(nc)).streams.getMessage(Streams.inbound.name, { seq: ack.seq })
    expect(ack.stream).toBe(Streams.inbound.name)
    expect(stored?.header.get('Banditore-Reason')).toBe('prova')
    expect(stored?.header.get('Nats-Msg-Id')).toBe('hdr-1')
  })

  it('rejects at once when no stream takes the subject', async () => {
    // "At once": on the server's no-responders answer, not on the deadline. A deadline no test
    // run reaches makes that so without timing the rejection.
    const rejected = await publisher.publish('nowhere.at.all', bytes('x'), { msgId: 'lost-1', timeoutMs: 3_600_000 }).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(rejected).toBeInstanceOf(PublishNotAcknowledgedError)
    expect(((rejected as PublishNotAcknowledgedError).cause as Error).message).toBe('no responders')
  })

  it('rejects after its timeout while NATS is down, and works again after the restart', async () => {
    await server.stop()
    await expect(publisher.publish('inbound.message.acks', bytes('down'), { msgId: 'down-1', timeoutMs: 300 })).rejects.toThrow(/did not acknowledge/)
    await server.start()
    await expect.poll(async () => (await publisher.publish('inbound.message.acks', bytes('up'), { msgId: 'up-1', timeoutMs: 500 }).catch(() => null)) !== null, { timeout: 30_000, interval: 100 }).toBe(true)
  })

  it('expires a short timeout even behind a publish that waits longer', async () => {
    await server.stop()
    let patientSettled = false
    const patient = publisher.publish('inbound.message.acks', bytes('a'), { msgId: 'patient-1', timeoutMs: 3_600_000 })
    patient.then(
      () => (patientSettled = true),
      () => (patientSettled = true),
    )
    await expect(publisher.publish('inbound.message.acks', bytes('b'), { msgId: 'hasty-1', timeoutMs: 200 })).rejects.toThrow(/did not acknowledge/)
    // While NATS is still down, nothing could have answered the patient one: it did not expire
    // with the hasty one.
    expect(patientSettled).toBe(false)
    await server.start()
  })

  it('rejects what is pending when closed', async () => {
    const closing = new DurablePublisher(nc, { timeoutMs: 5000 })
    await server.stop()
    const pending = closing.publish('inbound.message.acks', bytes('x'), { msgId: 'closed-1' })
    closing.close()
    await expect(pending).rejects.toBeInstanceOf(PublishNotAcknowledgedError)
    await server.start()
  })
})
