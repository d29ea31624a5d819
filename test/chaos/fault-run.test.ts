import { describe, expect, it } from 'vitest'
import { runFaultRun } from './fault-run.js'

/**
 * The fault run of issue #17, reduced to fit CI (the full one: `pnpm bench:faults`): every
 * deployable killed with SIGKILL and restarted, NATS and PostgreSQL restarted, all while a
 * broadcast runs and citizens write; nobody is missed or reached twice, nothing written is lost,
 * no process exits on its own, and bad webhooks are refused before and after.
 */
describe('the fault run', () => {
  it.each([1, 2] as const)('with %i replica(s) of every deployable: 0 missed, 0 doubled, 0 lost, 0 exits', async (replicas) => {
    const report = await runFaultRun({ citizens: 150, inboundDuringFaults: 30, messagesPerSecond: 10, replicas })
    expect(report.faults).toHaveLength(6)
    expect({
      missed: report.missed,
      doubled: report.doubled,
      lostInbound: report.lostInbound,
      doubledReplies: report.doubledReplies,
      unexpectedExits: report.unexpectedExits,
      badInputMisanswered: report.badInputMisanswered,
    }, JSON.stringify({ progress: report.progress, faults: report.faults, missedSample: report.missedSample, doubledRepliesSample: report.doubledRepliesSample })).toEqual({ missed: 0, doubled: 0, lostInbound: 0, doubledReplies: 0, unexpectedExits: [], badInputMisanswered: [] })
    expect(report.progress).toMatchObject({ status: 'completed', total: 150 })
  }, 1_500_000)
})
