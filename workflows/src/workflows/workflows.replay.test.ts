import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { EmergencyWorkflow } from '@banditore/contracts'
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js'
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker'
import { beforeAll, describe, expect, it } from 'vitest'
import { bundleWorkflows } from '../worker.js'

/** Where the committed histories are; recorded by `pnpm --filter @banditore/workflows record-histories`. */
export const historyPath = (name: string) => fileURLToPath(new URL(`../../histories/${name}.history.json`, import.meta.url))

/**
 * Replays a real run of every workflow, recorded against the dev server and committed, with
 * today's workflow code: a change that breaks determinism fails here. A missing history fails
 * too (it is never recorded on the spot, which would make deleting it pass); record them again,
 * on purpose, after a deliberate change of a workflow's shape.
 */
describe('workflow determinism over committed histories', () => {
  let bundle: WorkflowBundleWithSourceMap
  beforeAll(async () => {
    bundle = await bundleWorkflows()
  }, 120_000)

  const cases = [
    { name: 'broadcast', workflowType: 'massBroadcastWorkflow', signals: ['pause', 'resume'] },
    { name: 'emergency', workflowType: 'emergencyAlertWorkflow', signals: ['acknowledge'] },
    { name: 'emergency-poll', workflowType: 'emergencyAlertWorkflow', signals: ['remindPoll', 'close'] },
    { name: 'reply', workflowType: 'replyWorkflow', signals: [] },
    { name: 'recurring', workflowType: 'recurringOccurrenceWorkflow', signals: [] },
  ]
  it.each(cases)('replays the recorded $name run without nondeterminism', async ({ name, workflowType, signals }) => {
    const file = historyPath(name)
    expect(existsSync(file), `${file} is missing: record it with pnpm --filter @banditore/workflows record-histories`).toBe(true)
    const history = historyFromJSON(JSON.parse(readFileSync(file, 'utf8')))
    const events = history.events ?? []
    expect(events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name).toBe(workflowType)
    const signalled = events.filter((e) => e.workflowExecutionSignaledEventAttributes).map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)
    expect(signalled).toEqual(signals)
    // Child workflow ids derive from the parent's (emergency → its citizens' broadcast): replay under the recorded id.
    const payload = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data
    const input = payload ? (JSON.parse(Buffer.from(payload).toString('utf8')) as { tenant?: string; alertId?: string }) : {}
    // A scheduled workflow's id is its schedule's id and scheduled time (the occurrence reads its time there).
    const scheduled = events[0]?.workflowExecutionStartedEventAttributes?.searchAttributes?.indexedFields ?? {}
    const attribute = (key: string) => {
      const data = scheduled[key]?.data
      return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as string) : undefined
    }
    const scheduledBy = attribute('TemporalScheduledById')
    const scheduledAt = attribute('TemporalScheduledStartTime')
    const workflowId =
      scheduledBy && scheduledAt
        ? `${scheduledBy}-${scheduledAt}`
        : input.alertId && input.tenant
          ? EmergencyWorkflow.workflowId(input.tenant, input.alertId)
          : `${name}-replay`
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId)
  }, 60_000)
})
