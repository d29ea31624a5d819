import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { Consumers, OutboundReplyContract, Streams, Subjects, type OutboundReply } from '@banditore/contracts'
import { connectNats, DurablePublisher, ensureStreams, loadTenantDirectory, type RunningConsumer } from '@banditore/platform'
import { createTwilioSmsClient, createWhatsAppCloudClient } from '@banditore/providers'
import { startSimulator, type RunningSimulator } from '@banditore/provider-simulator'
import { TokenBucketRateLimiter } from '@banditore/providers/testing'
import { bundleWorkflows, createProviderReplySender, createWorker, replyWorkflowId, startReplyDispatch } from '@banditore/workflows'
import { jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { Client, Connection, WorkflowFailedError } from '@temporalio/client'
import { NativeConnection, type Worker } from '@temporalio/worker'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { captureLogs, startNatsServer, type TestNatsServer } from '../harness/index.js'

const secrets: Record<string, string> = {
  TEST_WA_TOKEN: 'test-access-token',
  TEST_WA_SECRET: 'test-app-secret',
  TEST_SMS_SID: 'ACtest',
  TEST_SMS_TOKEN: 'test-auth-token',
}
const citizen = '+393471234567'

/**
 * The foundation's path end to end: a service publishes a reply command on JetStream, the worker
 * consumes it and runs a workflow on the real Temporal server, whose activity sends it through
 * the provider adapter to the simulator.
 */
describe('reply pipeline: JetStream → worker → Temporal workflow → provider', () => {
  let nats: TestNatsServer
  let nc: NatsConnection
  let sim: RunningSimulator
  let worker: Worker
  let running: Promise<void>
  let dispatch: RunningConsumer
  let client: Client
  let connection: Connection
  let native: NativeConnection
  const taskQueue = `replies-${randomUUID()}`
  const { logger } = captureLogs('worker')

  beforeAll(async () => {
    nats = await startNatsServer()
    nc = await connectNats({ servers: nats.url, name: 'reply-pipeline-test', logger })
    await ensureStreams(nc, [Streams.outbound, Streams.deadLetter])
    sim = await startSimulator({
      whatsapp: [{ phoneNumberId: '109000000000001', displayPhoneNumber: '+393330000001', accessToken: secrets.TEST_WA_TOKEN! }],
      twilio: [{ accountSid: secrets.TEST_SMS_SID!, authToken: secrets.TEST_SMS_TOKEN!, numbers: [{ number: '+393330000001' }] }],
    })
    const tenants = await loadTenantDirectory(fileURLToPath(new URL('./fixtures/tenants', import.meta.url)))
    const sender = createProviderReplySender({
      tenants,
      whatsapp: createWhatsAppCloudClient({ baseUrl: sim.url }),
      sms: createTwilioSmsClient({ baseUrl: sim.url }),
      rateLimiter: new TokenBucketRateLimiter({ ratePerSecond: 80 }),
      secret: (name) => secrets[name] ?? '',
      smsStatusCallbackUrl: 'http://127.0.0.1:9/webhooks/sms/status',
    })
    native = await NativeConnection.connect({ address: inject('temporalAddress') })
    worker = await createWorker({ connection: native, namespace: 'default', taskQueue, deps: { sender, logger }, bundle: await bundleWorkflows(), logger })
    running = worker.run()
    connection = await Connection.connect({ address: inject('temporalAddress') })
    client = new Client({ connection })
    dispatch = await startReplyDispatch({ nc, client, taskQueue, logger })
  })

  afterAll(async () => {
    await dispatch?.stop()
    worker?.shutdown()
    await running
    await native?.close()
    await connection?.close()
    await nc?.drain()
    await sim?.stop()
    await nats?.dispose()
  })

  const publish = async (reply: OutboundReply) =>
    await new DurablePublisher(nc).publish(Subjects.outboundReply(reply.tenant), OutboundReplyContract.encode(reply), { msgId: reply.id })

  const reply = (over: Partial<OutboundReply>): OutboundReply => ({
    version: 1,
    id: randomUUID(),
    tenant: 'testville',
    channel: 'whatsapp',
    to: citizen,
    text: 'Iscrizione confermata.',
    lastInboundAt: new Date().toISOString(),
    requestedAt: new Date().toISOString(),
    ...over,
  })

  it('delivers a WhatsApp reply to the provider exactly once, even when the command is published again', async () => {
    const command = reply({})
    await publish(command)
    const handle = client.workflow.getHandle(replyWorkflowId('testville', command.id))
    await expect.poll(async () => (await handle.describe().catch(() => undefined))?.status.name, { timeout: 30_000 }).toBe('COMPLETED')
    // The same command again, past JetStream's dedupe (new msg id): the workflow id stops it.
    const again = await new DurablePublisher(nc).publish(Subjects.outboundReply('testville'), OutboundReplyContract.encode(command), {
      msgId: `${command.id}-again`,
    })
    // Handled (and acknowledged) by the dispatch: whatever it was going to do, it has done.
    const jsm = await jetstreamManager(nc)
    await expect
      .poll(
        async () => {
          const info = await jsm.consumers.info(Streams.outbound.name, Consumers.workerReplies.durable)
          return info.ack_floor.stream_seq >= again.seq && info.num_ack_pending === 0
        },
        { timeout: 30_000 },
      )
      .toBe(true)
    const sent = sim.messages({ correlation: `reply:testville:${command.id}` })
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ provider: 'whatsapp-cloud', to: citizen })
    expect(sent[0]?.text).toBe('Iscrizione confermata.')
  })

  it('sends an SMS reply through the gateway', async () => {
    const command = reply({ channel: 'sms', text: 'Sei iscritto al servizio SMS.' })
    await publish(command)
    await expect.poll(() => sim.messages({ correlation: `reply:testville:${command.id}` }).length, { timeout: 30_000 }).toBe(1)
    expect(sim.messages({ correlation: `reply:testville:${command.id}` })[0]).toMatchObject({ provider: 'sms-gateway', to: citizen })
  })

  it('refuses WhatsApp free text outside the 24-hour window without sending anything', async () => {
    const command = reply({ lastInboundAt: new Date(Date.now() - 25 * 3600_000).toISOString() })
    await publish(command)
    const handle = client.workflow.getHandle(replyWorkflowId('testville', command.id))
    await expect.poll(async () => (await handle.describe().catch(() => undefined))?.status.name, { timeout: 30_000 }).toBe('FAILED')
    const failure = await handle.result().catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(WorkflowFailedError)
    expect(sim.messages({ correlation: `reply:testville:${command.id}` })).toHaveLength(0)
  })
})
