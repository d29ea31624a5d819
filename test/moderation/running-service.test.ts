import { freePort } from '../harness/index.js'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ModerationSubjects, OutboundCheckReplyContract, OutboundCheckRequestContract, Streams, Subjects, type InboundMessage, type ModerationVerdict } from '@banditore/contracts'
import { connectNats, DurablePublisher, ensureStreams, type Logger } from '@banditore/platform'
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureLogs, spawnService, startNatsServer, waitForHttp, type ServiceProcess, type TestNatsServer } from '../harness/index.js'

const root = fileURLToPath(new URL('../..', import.meta.url))


/**
 * The moderation service as it runs: its own process on a private nats-server, reading
 * `inbound.message.*` and publishing verdicts on `moderation.verdict.<tenant>`, answering the
 * outbound check, and swapping rules edited on disk without a restart.
 */
describe('the running moderation service', () => {
  let nats: TestNatsServer
  let nc: NatsConnection
  let jsm: JetStreamManager
  let service: ServiceProcess
  let rulesDir: string
  let logger: Logger
  let sequence = 0
  let read = 0

  const message = (tenant: string, text: string, extra: Partial<InboundMessage> = {}): InboundMessage => {
    const n = ++sequence
    const at = new Date().toISOString()
    return {
      version: 1,
      id: `whatsapp-cloud:wamid.moderation${n}`,
      tenant,
      channel: 'whatsapp',
      provider: 'whatsapp-cloud',
      providerMessageId: `wamid.moderation${n}`,
      from: `+3934700${String(n).padStart(5, '0')}`,
      to: '+393330000001',
      type: 'text',
      text,
      sentAt: at,
      receivedAt: at,
      ...extra,
    }
  }
  const publish = async (m: InboundMessage) => {
    await new DurablePublisher(nc).publish(Subjects.inboundMessage(m.tenant), new TextEncoder().encode(JSON.stringify(m)), { msgId: m.id })
  }
  /** The verdict moderation published for `messageId`, reading the stream in order. */
  const verdicts = new Map<string, ModerationVerdict>()
  const verdictOf = async (messageId: string, timeoutMs = 15_000): Promise<ModerationVerdict> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const info = await jsm.streams.info(Streams.moderation.name)
      for (let seq = read + 1; seq <= info.state.last_seq; seq++) {
        const stored = await jsm.streams.getMessage(Streams.moderation.name, { seq })
        if (!stored) continue
        const verdict = stored.json<ModerationVerdict>()
        verdicts.set(verdict.messageId, verdict)
        read = seq
      }
      const found = verdicts.get(messageId)
      if (found) return found
      if (Date.now() > deadline) throw new Error(`no verdict for ${messageId} within ${timeoutMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  const decide = async (tenant: string, text: string) => {
    const m = message(tenant, text)
    await publish(m)
    return await verdictOf(m.id)
  }

  beforeAll(async () => {
    logger = captureLogs('moderation-test', 'warn').logger
    nats = await startNatsServer()
    nc = await connectNats({ servers: nats.url, name: 'moderation-test', logger })
    await ensureStreams(nc, [Streams.inbound, Streams.moderation, Streams.deadLetter])
    jsm = await jetstreamManager(nc)
    rulesDir = mkdtempSync(join(tmpdir(), 'banditore-rules-'))
    cpSync(join(root, 'rules'), rulesDir, { recursive: true })
    const port = await freePort()
    service = spawnService('services/moderation/src/main.ts', {
      PORT: String(port),
      HOST: '127.0.0.1',
      NATS_URL: nats.url,
      TENANTS_DIR: join(root, 'tenants'),
      RULES_DIR: rulesDir,
      RULESET_SOURCE: 'directory',
      RULES_DEBOUNCE_MS: '100',
      LOG_LEVEL: 'info',
    })
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, 200, 60_000, () => service.child.exitCode === null)
  }, 90_000)
  afterAll(async () => {
    await service?.signal('SIGTERM').catch(() => undefined)
    await nc?.drain()
    await nats?.dispose()
    if (rulesDir) rmSync(rulesDir, { recursive: true, force: true })
  })

  it('publishes a verdict for every message, with the action the municipal policy gives', async () => {
    expect(await decide('gressan', 'MI ISCRIVO')).toMatchObject({ tenant: 'gressan', action: 'allow', categories: [] })
    const insult = await decide('ancona', 'Vaffanculo voi e il vostro servizio')
    expect(insult).toMatchObject({ action: 'delete', categories: ['offensive-language'] })
    expect(insult.rulesetVersion).toMatch(/^sha256:/)
    // Calcinato blocks the sender of offensive language.
    expect(await decide('calcinato', 'Siete dei coglioni')).toMatchObject({ action: 'block', categories: ['offensive-language'] })
    expect(await decide('magenta', 'Metto una bomba in municipio, vedrete')).toMatchObject({ action: 'report', categories: ['threats-violence'] })
    // The verdict carries the message, so subscriptions acts on it without another lookup.
    const verdict = await decide('gressan', 'Quando passa lo spazzaneve?')
    expect(verdict.message).toMatchObject({ tenant: 'gressan', text: 'Quando passa lo spazzaneve?' })
  })

  it('gives form sign-ups a verdict too, so subscriptions can act on them', async () => {
    const form = message('magenta', '', {
      channel: 'web',
      provider: 'web-form',
      type: 'form',
      to: 'magenta-signup-form',
      form: { name: 'Maria Rossi', topics: ['eventi'], consent: true },
    })
    delete (form as { text?: string }).text
    await publish(form)
    expect(await verdictOf(form.id)).toMatchObject({ tenant: 'magenta', channel: 'web', message: { type: 'form' } })
  })

  it('answers the outbound check of a broadcast draft over NATS', async () => {
    const reply = await nc.request(
      ModerationSubjects.checkOutbound,
      OutboundCheckRequestContract.encode({ version: 1, tenant: 'corbetta', texts: { it: 'Domani chiusura del municipio per lavori.' } }),
      { timeout: 10_000 },
    )
    expect(OutboundCheckReplyContract.decode(reply.data)).toMatchObject({ version: 1, ok: true, flagged: false, findings: [] })
    const flagged = await nc.request(
      ModerationSubjects.checkOutbound,
      OutboundCheckRequestContract.encode({ version: 1, tenant: 'corbetta', texts: { it: 'Il sindaco è un ladro corrotto, vaffanculo' } }),
      { timeout: 10_000 },
    )
    expect(OutboundCheckReplyContract.decode(flagged.data)).toMatchObject({ ok: true, flagged: true, findings: [expect.objectContaining({ language: 'it' })] })
  })

  it('swaps to edited rules without a restart, and keeps the rules in force when an edit is broken', async () => {
    const before = await decide('gressan', 'Sindaco imbecille')
    expect(before.action).toBe('delete')
    const file = join(rulesDir, 'default', 'inbound', 'insults.json')
    const rule = JSON.parse(readFileSync(file, 'utf8'))
    writeFileSync(file, JSON.stringify({ ...rule, event: { ...rule.event, type: 'block' } }, null, 2))
    await expect.poll(async () => (await decide('gressan', 'Sindaco imbecille')).action, { timeout: 20_000, interval: 300 }).toBe('block')
    const swapped = await decide('gressan', 'Sindaco imbecille')
    expect(swapped.rulesetVersion).not.toBe(before.rulesetVersion)
    // A broken file: refused with its name and reason in the log; the last good rules stay.
    writeFileSync(file, '{ "name": "insults", "conditions": ')
    await expect.poll(() => service.output(), { timeout: 20_000, interval: 200 }).toContain('ruleset refused; the rules in force stay')
    expect(service.output()).toContain('insults.json')
    expect(await decide('gressan', 'Sindaco imbecille')).toMatchObject({ action: 'block', rulesetVersion: swapped.rulesetVersion })
  }, 60_000)
})
