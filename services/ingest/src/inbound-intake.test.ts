import { createLogger } from '@banditore/platform'
import { describe, expect, it } from 'vitest'
import { MemoryLedger, MemoryPublisher } from './fixtures/memory-edges.js'
import { InboundIntake, IntakeUnavailableError, type InboundEnvelope, type IntakePublisher } from './inbound-intake.js'
import { createIngestMetrics } from './ingest-metrics.js'

const envelope = (id: string): InboundEnvelope => ({ subject: 'inbound.message.valdoro', id, kind: 'message', data: new TextEncoder().encode(id) })

function intakeOver(publisher: IntakePublisher, ledger = new MemoryLedger()) {
  const metrics = createIngestMetrics()
  const intake = new InboundIntake({ publisher, ledger, logger: createLogger({ service: 'test', level: 'silent' }), metrics, publishTimeoutMs: 1000 })
  return { intake, ledger, metrics }
}

describe('InboundIntake', () => {
  it('publishes every message, then records the acknowledged ids', async () => {
    const publisher = new MemoryPublisher()
    const { intake, ledger } = intakeOver(publisher)
    await expect(intake.accept([envelope('a'), envelope('b')])).resolves.toEqual({ published: 2, duplicates: 0 })
    expect(publisher.stored.map((m) => m.msgId)).toEqual(['a', 'b'])
    await intake.idle()
    expect([...ledger.ids]).toEqual(['a', 'b'])
  })

  it('skips ids the ledger has seen, without publishing them again', async () => {
    const publisher = new MemoryPublisher()
    const ledger = new MemoryLedger()
    ledger.ids.add('a')
    const { intake } = intakeOver(publisher, ledger)
    await expect(intake.accept([envelope('a'), envelope('b')])).resolves.toEqual({ published: 1, duplicates: 1 })
    expect(publisher.stored.map((m) => m.msgId)).toEqual(['b'])
  })

  it('publishes an id repeated inside one webhook once', async () => {
    const publisher = new MemoryPublisher()
    const { intake } = intakeOver(publisher)
    await expect(intake.accept([envelope('a'), envelope('a')])).resolves.toEqual({ published: 1, duplicates: 1 })
  })

  it('counts a JetStream duplicate as a duplicate', async () => {
    const publisher = new MemoryPublisher()
    const { intake, ledger } = intakeOver(publisher)
    await intake.accept([envelope('a')])
    await intake.idle()
    ledger.ids.clear()
    await expect(intake.accept([envelope('a')])).resolves.toEqual({ published: 0, duplicates: 1 })
  })

  it('fails the request when any publish is not acknowledged, recording only the stored ones', async () => {
    const publisher: IntakePublisher = {
      publish: async (_subject, _data, { msgId }) => {
        if (msgId === 'b') throw new Error('timeout')
        return { duplicate: false }
      },
    }
    const { intake, ledger } = intakeOver(publisher)
    const error = await intake.accept([envelope('a'), envelope('b')]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IntakeUnavailableError)
    expect(error).toMatchObject({ statusCode: 503, failed: 1, code: 'INTAKE_UNAVAILABLE' })
    await intake.idle()
    expect([...ledger.ids]).toEqual(['a'])
  })

  it('never records an id before JetStream acknowledged it', async () => {
    const order: string[] = []
    const ledger = new MemoryLedger()
    const publisher: IntakePublisher = {
      publish: async (_s, _d, { msgId }) => {
        order.push(`publish ${msgId} (recorded: ${ledger.ids.has(msgId)})`)
        return { duplicate: false }
      },
    }
    const { intake } = intakeOver(publisher, ledger)
    await intake.accept([envelope('a')])
    await intake.idle()
    expect(order).toEqual(['publish a (recorded: false)'])
    expect(ledger.ids.has('a')).toBe(true)
  })

  it('keeps accepting when the ledger fails, relying on the duplicate window', async () => {
    const publisher = new MemoryPublisher()
    const ledger = new MemoryLedger()
    ledger.failing = true
    const { intake, metrics } = intakeOver(publisher, ledger)
    await expect(intake.accept([envelope('a')])).resolves.toEqual({ published: 1, duplicates: 0 })
    await expect(intake.accept([envelope('a')])).resolves.toEqual({ published: 0, duplicates: 1 })
    await intake.idle()
    const errors = await metrics.ledgerErrors.get()
    expect(errors.values.map((v) => [v.labels.operation, v.value])).toEqual([
      ['lookup', 2],
      ['record', 2],
    ])
  })
})
