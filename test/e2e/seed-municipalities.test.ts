import { freePort } from '../harness/index.js'
import { fileURLToPath } from 'node:url'
import { privacyPolicyVersion, type Tenant } from '@banditore/contracts'
import { createDatabase, loadTenantDirectory } from '@banditore/platform'
import { createPhoneHasher } from '@banditore/subscriptions'
import { type RecordedMessage } from '@banditore/provider-simulator'
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { localSenders } from '../../scripts/local-senders.js'
import { createTestDatabase, spawnService, startNatsServer, waitForHttp, type ServiceProcess, type TestDatabase, type TestNatsServer } from '../harness/index.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const HASH_KEY = 'e2e-subscriber-hash-key-0123456789abcdef'
const hash = createPhoneHasher(HASH_KEY)


/** The part of a tenant text before its first placeholder: what every rendering starts with. */
const opening = (tenant: Tenant, language: string, key: string) => {
  const text = tenant.texts[language]?.[key]
  if (!text) throw new Error(`${tenant.id} has no ${language}.${key} text`)
  return text.split('{')[0]!.trim()
}

/**
 * Each seed municipality's documented flow, end to end, every part a real process: the provider
 * simulator (the citizens' phones), ingest, moderation, subscriptions, the broadcast service and
 * the worker (reply workflows on the Temporal server). A citizen signs up (keyword, or Magenta's
 * web form and its confirmation), receives the confirmation text, changes topics, asks a question
 * (auto-reply, or Ancona's desk), and leaves; the consent ledger holds the proof.
 */
describe('the five seed municipalities, end to end', () => {
  let nats: TestNatsServer
  let database: TestDatabase
  let db: Kysely<Record<string, never>>
  const processes: ServiceProcess[] = []
  let simulator: ServiceProcess | undefined
  let simUrl = ''
  let ingestUrl = ''
  const tenants = new Map<string, Tenant>()
  let citizen = 0

  const inbox = async (phone: string): Promise<RecordedMessage[]> => {
    const response = await fetch(`${simUrl}/_sim/messages?to=${encodeURIComponent(phone)}&limit=1000`)
    return ((await response.json()) as { messages: RecordedMessage[] }).messages
  }
  /** Waits for a message to `phone` that starts with `text` (or is the template `template`). */
  const received = async (phone: string, expected: { text?: string; template?: string }, seen = 0) => {
    const deadline = Date.now() + 45_000
    for (;;) {
      const messages = (await inbox(phone)).slice(seen)
      const match = messages.find((m) => (expected.text ? m.text?.startsWith(expected.text) : m.template?.name === expected.template))
      if (match) return match
      if (Date.now() > deadline) {
        const logs = processes.map((p) => p.output().slice(-1500)).join('\n---\n')
        throw new Error(`no message to the citizen like ${JSON.stringify(expected)}; got ${JSON.stringify(messages.map((m) => m.text ?? m.template))}\nprocess logs (tails):\n${logs}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  const whatsapp = async (tenant: Tenant, from: string, text: string) => {
    // A citizen's own words (not a keyword): what they asked must stay out of the logs.
    if (/[a-z]/.test(text) && text.includes(' ') && !/^(THÈMES|TEMI|ISCRIZIONE) /.test(text)) personal.words.push(text)
    const response = await fetch(`${simUrl}/_sim/inbound/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: tenant.channels.whatsapp!.number, from, text }) })
    expect(response.status, await response.clone().text()).toBe(200)
  }
  const smsFrom = async (tenant: Tenant, from: string, body: string) => {
    const response = await fetch(`${simUrl}/_sim/inbound/sms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: tenant.channels.sms!.number, from, body }) })
    expect(response.status, await response.clone().text()).toBe(200)
  }
  const ledger = async (tenant: string, phone: string) =>
    (
      await sql<{ event: string; door: string; evidence_text: string | null; policy_version: string | null }>`
        select event, door, evidence_text, policy_version from subscriptions.consent_ledger
        where tenant = ${tenant} and phone_hash = ${hash(tenant, phone)} order by id`.execute(db)
    ).rows
  /** Every citizen's number, and the names and words they sent: what no log may hold. */
  const personal = { phones: [] as string[], words: ['Mario Rossi', 'Giulia Bianchi'] }
  const newCitizen = () => {
    const phone = `+39347${String(4_200_000 + ++citizen).padStart(7, '0')}`
    personal.phones.push(phone)
    return phone
  }
  const topicWord = (tenant: Tenant, language: string) => tenant.topics.find((t) => !t.alwaysOn)?.names[language] ?? ''

  beforeAll(async () => {
    for (const tenant of (await loadTenantDirectory(`${root}/tenants`)).all()) tenants.set(tenant.id, tenant)
    nats = await startNatsServer()
    database = await createTestDatabase()
    db = createDatabase<Record<string, never>>({ url: database.url, applicationName: 'e2e-test', max: 2 })
    const ports = { sim: await freePort(), ingest: await freePort(), moderation: await freePort(), subscriptions: await freePort(), broadcast: await freePort(), worker: await freePort() }
    simUrl = `http://127.0.0.1:${ports.sim}`
    ingestUrl = `http://127.0.0.1:${ports.ingest}`
    const { secrets, whatsapp: waSenders, twilio } = localSenders([...tenants.values()], ingestUrl)
    const env = {
      ...secrets,
      NATS_URL: nats.url,
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TENANTS_DIR: `${root}/tenants`,
      RULES_DIR: `${root}/rules`,
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      WHATSAPP_API_BASE_URL: simUrl,
      SMS_API_BASE_URL: simUrl,
      SMS_STATUS_CALLBACK_URL: `${ingestUrl}/webhooks/sms/status`,
      PUBLIC_BASE_URL: ingestUrl,
      WHATSAPP_VERIFY_TOKEN: 'e2e-verify-token',
      SUBSCRIBER_HASH_KEY: HASH_KEY,
      // Replies and broadcasts of this file run on their own task queues of the shared server.
      TEMPORAL_TASK_QUEUE_REPLIES: `e2e-replies-${ports.worker}`,
      TEMPORAL_TASK_QUEUE_BROADCAST: `e2e-broadcast-${ports.worker}`,
      TEMPORAL_TASK_QUEUE_EMERGENCY: `e2e-emergency-${ports.worker}`,
    }
    const start = async (entry: string, port: number, ready: string, extra: Record<string, string> = {}) => {
      const proc = spawnService(entry, { ...env, PORT: String(port), ...extra })
      processes.push(proc)
      try {
        await waitForHttp(`http://127.0.0.1:${port}${ready}`, 200, 90_000, () => proc.child.exitCode === null)
      } catch (error) {
        throw new Error(`${entry} did not start: ${String(error)}\n${proc.output().slice(-3000)}`, { cause: error })
      }
      return proc
    }
    simulator = await start('services/provider-simulator/src/main.ts', ports.sim, '/_sim/health', {
      SIM_HOST: '127.0.0.1',
      SIM_PORT: String(ports.sim),
      SIM_LOG_LEVEL: 'warn',
      SIM_SENDERS: JSON.stringify({ whatsapp: waSenders, twilio }),
      SIM_STATUS_DELAY_MS: '20',
    })
    await Promise.all([
      start('services/broadcast/src/main.ts', ports.broadcast, '/readyz'),
      start('services/ingest/src/main.ts', ports.ingest, '/readyz'),
      start('services/moderation/src/main.ts', ports.moderation, '/readyz'),
      start('services/subscriptions/src/main.ts', ports.subscriptions, '/readyz'),
      start('workflows/src/main.ts', ports.worker, '/readyz'),
    ])
  }, 240_000)

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.signal('SIGTERM').catch(() => undefined)))
    await db?.destroy()
    await nats?.dispose()
    await database?.drop()
  }, 60_000)

  it('Gressan (WhatsApp, in French): JE M\'INSCRIS, topics, a question, JE ME DÉSINSCRIS', async () => {
    const gressan = tenants.get('gressan')!
    const phone = newCitizen()
    await whatsapp(gressan, phone, "JE M'INSCRIS")
    await received(phone, { text: opening(gressan, 'fr', 'welcome') })
    await whatsapp(gressan, phone, `THÈMES ${topicWord(gressan, 'fr')}`)
    await received(phone, { text: opening(gressan, 'fr', 'topicsChanged') })
    await whatsapp(gressan, phone, 'Quand ouvre la bibliothèque ?')
    await received(phone, { text: opening(gressan, 'fr', 'autoReply') })
    await whatsapp(gressan, phone, 'JE ME DÉSINSCRIS')
    await received(phone, { text: opening(gressan, 'fr', 'unsubscribed') })
    expect(await ledger('gressan', phone)).toMatchObject([
      { event: 'subscribed', door: 'whatsapp', evidence_text: "JE M'INSCRIS", policy_version: privacyPolicyVersion(gressan.privacyPolicy.fr!) },
      { event: 'unsubscribed', door: 'whatsapp', evidence_text: 'JE ME DÉSINSCRIS' },
    ])
  }, 120_000)

  it('Calcinato (WhatsApp): ISCRIZIONE with the name, topics, a question, CANCELLAZIONE', async () => {
    const calcinato = tenants.get('calcinato')!
    const phone = newCitizen()
    await whatsapp(calcinato, phone, 'ISCRIZIONE Mario Rossi')
    const welcome = await received(phone, { text: opening(calcinato, 'it', 'welcome') })
    expect(welcome.text).toContain('Mario Rossi')
    await whatsapp(calcinato, phone, `TEMI ${topicWord(calcinato, 'it')}`)
    await received(phone, { text: opening(calcinato, 'it', 'topicsChanged') })
    await whatsapp(calcinato, phone, 'A che ora apre il cimitero?')
    await received(phone, { text: opening(calcinato, 'it', 'autoReply') })
    await whatsapp(calcinato, phone, 'CANCELLAZIONE')
    await received(phone, { text: opening(calcinato, 'it', 'unsubscribed') })
    expect((await ledger('calcinato', phone)).map((r) => [r.event, r.evidence_text])).toEqual([
      ['subscribed', 'ISCRIZIONE Mario Rossi'],
      ['unsubscribed', 'CANCELLAZIONE'],
    ])
  }, 120_000)

  it('Ancona (URP su WhatsApp): ISCRIVIMI, topics, a question for the desk, CANCELLAMI', async () => {
    const ancona = tenants.get('ancona')!
    const phone = newCitizen()
    await whatsapp(ancona, phone, 'ISCRIVIMI')
    await received(phone, { text: opening(ancona, 'it', 'welcome') })
    await whatsapp(ancona, phone, `TEMI ${topicWord(ancona, 'it')}`)
    await received(phone, { text: opening(ancona, 'it', 'topicsChanged') })
    const seen = (await inbox(phone)).length
    await whatsapp(ancona, phone, 'Buongiorno, come rinnovo la carta d’identità?')
    // Inside office hours the desk takes the question; outside, the citizen is told when it opens.
    const deadline = Date.now() + 45_000
    for (;;) {
      const answers = (await inbox(phone)).slice(seen).map((m) => m.text ?? '')
      if (answers.some((t) => t.startsWith(opening(ancona, 'it', 'deskClosed')) || t.startsWith(opening(ancona, 'it', 'deskReceived')))) break
      const desk = await sql<{ n: number }>`select count(*)::int as n from subscriptions.desk_message where tenant = 'ancona'`.execute(db)
      if ((desk.rows[0]?.n ?? 0) > 0) break
      if (Date.now() > deadline) throw new Error(`the desk did not take the question: ${JSON.stringify(answers)}`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    await whatsapp(ancona, phone, 'CANCELLAMI')
    await received(phone, { text: opening(ancona, 'it', 'unsubscribed') })
    expect((await ledger('ancona', phone)).map((r) => r.event)).toEqual(['subscribed', 'unsubscribed'])
  }, 120_000)

  it('Corbetta: ADD WA by SMS, then topics and a question on WhatsApp, DEL WA', async () => {
    const corbetta = tenants.get('corbetta')!
    const phone = newCitizen()
    await smsFrom(corbetta, phone, 'ADD WA')
    await received(phone, { text: opening(corbetta, 'it', 'welcome') })
    await whatsapp(corbetta, phone, `TEMI ${topicWord(corbetta, 'it')}`)
    await received(phone, { text: opening(corbetta, 'it', 'topicsChanged') })
    await whatsapp(corbetta, phone, 'Quando passa la raccolta del vetro?')
    await received(phone, { text: opening(corbetta, 'it', 'autoReply') })
    await whatsapp(corbetta, phone, 'DEL WA')
    await received(phone, { text: opening(corbetta, 'it', 'unsubscribed') })
    expect((await ledger('corbetta', phone)).map((r) => [r.event, r.door, r.evidence_text])).toEqual([
      ['subscribed', 'sms', 'ADD WA'],
      ['unsubscribed', 'whatsapp', 'DEL WA'],
    ])
  }, 120_000)

  it('Magenta: the web form, the confirmation by approved WhatsApp template, SI, topics, a question, CANCELLAMI', async () => {
    const magenta = tenants.get('magenta')!
    const phone = newCitizen()
    const form = await fetch(`${ingestUrl}/forms/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'magenta', name: 'Giulia Bianchi', phone, topics: [], consent: true, policyVersion: privacyPolicyVersion(magenta.privacyPolicy.it!), language: 'it' }),
    })
    expect(form.status, await form.clone().text()).toBe(202)
    // Business-initiated on WhatsApp: the approved template, not free text.
    await received(phone, { template: magenta.signup.whatsappConfirmationTemplate!.name })
    expect(await ledger('magenta', phone)).toMatchObject([{ event: 'signup-requested', door: 'web' }])
    await whatsapp(magenta, phone, 'SI')
    await received(phone, { text: opening(magenta, 'it', 'welcome') })
    await whatsapp(magenta, phone, `TEMI ${topicWord(magenta, 'it')}`)
    await received(phone, { text: opening(magenta, 'it', 'topicsChanged') })
    await whatsapp(magenta, phone, 'Il parcheggio di via Roma è chiuso?')
    await received(phone, { text: opening(magenta, 'it', 'autoReply') })
    await whatsapp(magenta, phone, 'CANCELLAMI')
    await received(phone, { text: opening(magenta, 'it', 'unsubscribed') })
    const proof = await ledger('magenta', phone)
    expect(proof.map((r) => r.event)).toEqual(['signup-requested', 'subscribed', 'unsubscribed'])
    expect(proof[1]).toMatchObject({ evidence_text: 'SI', policy_version: privacyPolicyVersion(magenta.privacyPolicy.it!) })
  }, 120_000)

  it('logs nothing of the citizens at the default level: no number, name or message text', async () => {
    expect(personal.phones.length).toBeGreaterThanOrEqual(5)
    expect(personal.words.length).toBeGreaterThanOrEqual(6)
    // Ours only: the simulator stands in for WhatsApp and the SMS gateway, outside the platform.
    const ours = processes.filter((p) => p !== simulator)
    expect(ours).toHaveLength(5)
    const logs = ours.map((p) => p.output()).join('\n')
    // The processes did log (their starts, the flows' steps): an empty log would prove nothing.
    expect(logs).toMatch(/"level":30/)
    // Any form of a number: +39…, 39… (WhatsApp's wa_id), or the national digits.
    const found = [...personal.phones.map((phone) => phone.slice(3)), ...personal.words].filter((needle) => logs.includes(needle))
    expect(found).toEqual([])
  })
})
