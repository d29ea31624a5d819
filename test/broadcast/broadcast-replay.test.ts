import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { BroadcastWorkflow } from '@banditore/contracts'
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js'
import { Worker } from '@temporalio/worker'
import { beforeAll, describe, expect, it } from 'vitest'
import { audienceOf } from './support/subscribers.js'
import { startBroadcastStack } from './support/broadcast-stack.js'
import { BORGO } from './support/broadcast-tenant.js'
import { sharedBundle, startInProcessWorker } from './support/in-process-worker.js'

/** Polls `read` until `done` holds (expect.poll is for tests, this runs in beforeAll). */
async function waitFor<T>(read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!done(await read())) {
    if (Date.now() > deadline) throw new Error('timed out recording the history')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const fixture = fileURLToPath(new URL('./fixtures/broadcast-run.history.json', import.meta.url))

/**
 * Records a real run of the broadcast workflow (sent, paused, resumed, completed) into the
 * committed fixture. Run it again after a deliberate change of the workflow's shape:
 *   BROADCAST_RECORD_HISTORY=1 pnpm exec vitest run test/broadcast/broadcast-replay.test.ts
 */
async function recordHistory(): Promise<void> {
  const stack = await startBroadcastStack({ whatsappMps: 25, extraTopics: ['storia'] })
  const worker = await startInProcessWorker(stack)
  try {
    await stack.audience.add(audienceOf(BORGO.id, 120, { topics: ['storia'] }))
    const operator = await stack.token('operator', 'rec@borgo.example')
    const approver = await stack.token('approver', 'app@borgo.example')
    const id = (await stack.call('POST', '/v1/broadcasts', operator, {
      title: 'storia',
      topics: ['storia'],
      whatsapp: { templateName: 'avviso', variants: { it: { code: 'it', bodyParameters: ['storia'] } } },
    })).body.id as string
    await stack.call('POST', `/v1/broadcasts/${id}/approve`, approver, {})
    await stack.call('POST', `/v1/broadcasts/${id}/send`, operator, {})
    await waitFor(() => stack.sim.messages().length, (n) => n > 20)
    await stack.call('POST', `/v1/broadcasts/${id}/pause`, operator)
    await waitFor(async () => (await stack.call('GET', `/v1/broadcasts/${id}/progress`, operator)).body.status, (s) => s === 'paused')
    await stack.call('POST', `/v1/broadcasts/${id}/resume`, operator)
    const handle = stack.client.workflow.getHandle(BroadcastWorkflow.workflowId(BORGO.id, id))
    await handle.result()
    writeFileSync(fixture, `${historyToJSON(await handle.fetchHistory())}\n`)
  } finally {
    await worker.stop()
    await stack.stop()
  }
}

/** Replays the committed history with today's workflow code: a change that breaks determinism fails here. */
describe('broadcast workflow determinism', () => {
  beforeAll(async () => {
    if (process.env.BROADCAST_RECORD_HISTORY === '1' || !existsSync(fixture)) await recordHistory()
  }, 120_000)

  it('replays a recorded run (signals, cancellation, remainder) without nondeterminism', async () => {
    const history = historyFromJSON(JSON.parse(readFileSync(fixture, 'utf8')))
    const signals = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)
    expect(signals).toEqual(['pause', 'resume'])
    await Worker.runReplayHistory({ workflowBundle: await sharedBundle() }, history, 'broadcast-replay')
  }, 60_000)
})
