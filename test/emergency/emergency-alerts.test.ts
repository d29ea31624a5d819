import { readFileSync } from 'node:fs'
import { EmergencyWorkflow } from '@banditore/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBroadcastStack, type BroadcastStack } from '../broadcast/support/broadcast-stack.js'
import { BORGO } from '../broadcast/support/broadcast-tenant.js'
import { startInProcessWorker, type RunningWorker } from '../broadcast/support/in-process-worker.js'
import { audienceOf } from '../broadcast/support/subscribers.js'
import { waitUntil } from '../harness/index.js'

const OFFICIALS = [
  { name: 'Sindaca di Borgo', role: 'sindaco', phone: '+393471110001', channel: 'whatsapp' },
  { name: 'Responsabile Protezione Civile', role: 'responsabile protezione civile', phone: '+393471110002', channel: 'whatsapp' },
  { name: 'Comandante Polizia Locale', role: 'comandante polizia locale', phone: '+393471110003', channel: 'whatsapp' },
] as const
const ON_DUTY = { name: 'Reperibile URP', role: 'personale di turno', phone: '+393471119000', channel: 'sms' } as const
const ACK_SECONDS = 5
// Long enough that the statuses the test emits are applied before the fallback looks, even on a
// loaded machine.
const FALLBACK_SECONDS = 8
// The fixtures' alerts expire in November 2026; an expired CAP alert is refused, so they are moved on.
const capFixture = (name: string) =>
  readFileSync(new URL(`../../services/broadcast/src/cap/fixtures/valid/${name}`, import.meta.url), 'utf8').replace(/<expires>\d{4}/g, '<expires>2099')

const alertBody = (headline: string) => ({
  severity: 'Severe',
  urgency: 'Immediate',
  headline: { it: headline, fr: `FR ${headline}` },
  description: { it: 'Il torrente ha superato la soglia di guardia.', fr: 'Le torrent a dépassé le seuil de vigilance.' },
  instruction: { it: 'Evitare sottopassi e argini.' },
  link: 'https://www.comune.borgo.example/allerta',
})

/**
 * Emergency alerts on the real Temporal server, NATS, PostgreSQL, ingest, subscriptions and the
 * provider simulator, with the tenant's delays in seconds: every subscriber reached, the SMS
 * fallback for undelivered WhatsApp messages, the escalation chain with acknowledgements by API
 * and by reply, the all-clear linked to its alert, CAP documents as drafts.
 */
describe('emergency alerts', () => {
  let stack: BroadcastStack
  let worker: RunningWorker
  let officer: string
  let operator: string
  const whatsappCitizens = audienceOf(BORGO.id, 20, { from: 50_000 })
  const smsCitizens = audienceOf(BORGO.id, 5, { from: 51_000, channel: 'sms' })

  const to = (phone: string) => stack.sim.messages({ to: phone })
  const timelineOf = async (id: string) => (await stack.call('GET', `/v1/emergencies/${id}/timeline`, officer)).body.entries as Array<{ kind: string; actor: string; detail: Record<string, unknown> }>
  const kinds = async (id: string) => (await timelineOf(id)).map((e) => e.kind)
  const trigger = async (headline: string, extra: Record<string, unknown> = {}) => {
    const created = await stack.call('POST', '/v1/emergencies', officer, { ...alertBody(headline), ...extra, trigger: { reason: 'esondazione in corso, non c’è tempo per la doppia approvazione' } })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    return created.body.id as string
  }
  /** Waits until the alert's workflow has ended: from then on it notifies nobody. */
  const ended = async (id: string) =>
    await waitUntil(async () => (await stack.client.workflow.getHandle(EmergencyWorkflow.workflowId(BORGO.id, id)).describe()).closeTime, {
      timeoutMs: 120_000,
      what: `alert ${id}'s workflow to end`,
    })

  beforeAll(async () => {
    stack = await startBroadcastStack({
      whatsappMps: 200,
      smsMps: 50,
      // Statuses stop at `sent`: the test says who got `delivered`.
      simulator: { whatsappStatuses: ['sent'] },
      emergency: {
        smsFallbackAfterSeconds: FALLBACK_SECONDS,
        acknowledgeWithinSeconds: ACK_SECONDS,
        officials: OFFICIALS,
        onDuty: [ON_DUTY],
        whatsappTemplate: { name: 'allerta_emergenza', languages: { it: 'it', fr: 'fr' } },
      },
    })
    await stack.audience.add([...whatsappCitizens, ...smsCitizens])
    worker = await startInProcessWorker(stack)
    officer = await stack.token('civil-protection', 'ufficiale@borgo.example')
    operator = await stack.token('operator', 'operatore@borgo.example')
  }, 300_000)
  afterAll(async () => {
    await worker?.stop()
    await stack?.stop()
  })

  it('reaches every subscriber at once, then texts whoever WhatsApp did not deliver to', async () => {
    const id = await trigger('Allerta idraulica')
    // Everyone: WhatsApp subscribers by the approved template, SMS subscribers by text.
    await expect.poll(() => whatsappCitizens.filter((c) => to(c.phone).length > 0).length, { timeout: 60_000, interval: 100 }).toBe(20)
    await expect.poll(() => smsCitizens.filter((c) => to(c.phone).length > 0).length, { timeout: 60_000, interval: 100 }).toBe(5)
    expect(to(whatsappCitizens[0]!.phone)[0]).toMatchObject({ provider: 'whatsapp-cloud', template: { name: 'allerta_emergenza', language: 'it' } })
    expect(to(smsCitizens[0]!.phone)[0]?.text).toContain('Comune di Borgo - ALLERTA: Allerta idraulica')
    // Twelve WhatsApp messages are delivered before the fallback delay; eight are not.
    const delivered = whatsappCitizens.slice(0, 12)
    for (const citizen of delivered) {
      const message = to(citizen.phone)[0]!
      expect(await stack.sim.emitStatus({ providerMessageId: message.providerMessageId, state: 'delivered' })).toMatchObject({ ok: true })
    }
    // Taken in charge through the API as soon as the first official has the notice: the
    // escalation stops there (the fallback does not: citizens still need the alert).
    await expect.poll(() => to(OFFICIALS[0].phone).length, { timeout: 60_000, interval: 100 }).toBe(1)
    const acked = await stack.call('POST', `/v1/emergencies/${id}/acknowledge`, officer)
    expect(acked, JSON.stringify(acked.body)).toMatchObject({ status: 200 })
    await expect.poll(async () => (await stack.call('GET', `/v1/emergencies/${id}`, officer)).body.messages.whatsapp.delivered, { timeout: 60_000, interval: 100 }).toBe(12)
    const undelivered = whatsappCitizens.slice(12)
    await expect.poll(() => undelivered.filter((c) => to(c.phone).some((m) => m.provider === 'sms-gateway')).length, { timeout: 60_000, interval: 200 }).toBe(8)
    expect(delivered.filter((c) => to(c.phone).some((m) => m.provider === 'sms-gateway'))).toEqual([])
    const fallbackText = to(undelivered[0]!.phone).find((m) => m.provider === 'sms-gateway')?.text
    expect(fallbackText).toContain('Allerta idraulica')
    expect(fallbackText).toContain('Evitare sottopassi e argini.')
    // Counts per channel: 20 WhatsApp, 5 + 8 SMS; each citizen once per channel.
    await expect.poll(async () => (await stack.call('GET', `/v1/emergencies/${id}`, officer)).body.messages, { timeout: 60_000, interval: 200 }).toMatchObject({
      whatsapp: { sent: 20, delivered: 12 },
      sms: { sent: 13 },
    })
    expect(stack.sim.stats().record.duplicateMessages).toBe(0)
    await expect.poll(() => kinds(id), { timeout: 60_000, interval: 200 }).toContain('closed')
    const timeline = await timelineOf(id)
    expect(timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['created', 'triggered', 'approval-skipped', 'citizens-sent', 'sms-fallback', 'acknowledged', 'closed']))
    expect(timeline.find((e) => e.kind === 'approval-skipped')).toMatchObject({ actor: 'ufficiale@borgo.example', detail: { reason: expect.stringContaining('esondazione') } })
    expect(timeline.find((e) => e.kind === 'acknowledged')).toMatchObject({ actor: 'ufficiale@borgo.example', detail: { via: 'api' } })
    expect(timeline.find((e) => e.kind === 'sms-fallback' && e.detail.recipients !== undefined)?.detail.recipients).toBe(8)
    expect(to(OFFICIALS[1].phone)).toEqual([])
    const view = (await stack.call('GET', `/v1/emergencies/${id}`, officer)).body
    expect(view).toMatchObject({ status: 'closed', acknowledgedBy: 'ufficiale@borgo.example', approvalSkipReason: expect.stringContaining('esondazione'), triggeredBy: expect.any(String) })
  }, 300_000)

  it('escalates to the next official when one does not acknowledge, and stops when one replies', async () => {
    const before = (phone: string) => to(phone).length
    const counts = OFFICIALS.map((o) => before(o.phone))
    const id = await trigger('Frana sulla provinciale')
    await expect.poll(() => before(OFFICIALS[0].phone), { timeout: 60_000, interval: 100 }).toBe(counts[0]! + 1)
    // Nobody answers the first: after the acknowledgement time, the second is notified.
    await expect.poll(() => before(OFFICIALS[1].phone), { timeout: ACK_SECONDS * 1000 + 60_000, interval: 100 }).toBe(counts[1]! + 1)
    // The second replies to the notice through WhatsApp: ingest → acknowledgement → workflow.
    await stack.sim.injectWhatsApp({ to: BORGO.whatsappNumber, from: OFFICIALS[1].phone, text: 'OK, me ne occupo io' })
    await expect.poll(() => kinds(id), { timeout: 60_000, interval: 200 }).toContain('acknowledged')
    const acknowledged = (await timelineOf(id)).find((e) => e.kind === 'acknowledged')
    expect(acknowledged).toMatchObject({ actor: OFFICIALS[1].name, detail: { via: 'reply' } })
    // The third is never notified: not while the alert runs, nor after it ended.
    await ended(id)
    expect(before(OFFICIALS[2].phone)).toBe(counts[2])
    const notices = (await timelineOf(id)).filter((e) => e.kind === 'official-notified').map((e) => e.detail.name)
    expect(notices).toEqual([OFFICIALS[0].name, OFFICIALS[1].name])
    expect((await stack.call('GET', `/v1/emergencies/${id}`, officer)).body.acknowledgedBy).toBe(OFFICIALS[1].name)
  }, 300_000)

  it('alerts the staff on duty when the whole chain stays silent', async () => {
    const onDutyBefore = to(ON_DUTY.phone).length
    const id = await trigger('Rischio valanghe')
    await expect.poll(() => kinds(id), { timeout: ACK_SECONDS * 3 * 1000 + 60_000, interval: 250 }).toContain('on-duty-alerted')
    expect(to(ON_DUTY.phone).length).toBe(onDutyBefore + 1)
    expect(to(ON_DUTY.phone).at(-1)?.text).toContain('ALLERTA SENZA PRESA IN CARICO - Rischio valanghe')
    const timeline = await timelineOf(id)
    expect(timeline.filter((e) => e.kind === 'official-notified').map((e) => e.detail.name)).toEqual(OFFICIALS.map((o) => o.name))
    expect(timeline.map((e) => e.kind)).toContain('escalation-exhausted')
    // The staff on duty take it in charge afterwards (by SMS reply through the API here).
    expect((await stack.call('POST', `/v1/emergencies/${id}/acknowledge`, officer)).status).toBe(200)
    await expect.poll(async () => (await timelineOf(id)).find((e) => e.kind === 'acknowledged')?.detail.late, { timeout: 60_000, interval: 200 }).toBe(true)
  }, 300_000)

  it('links an all-clear to its alert, which stops its pending fallback and escalation', async () => {
    const id = await trigger('Allerta meteo')
    await expect.poll(() => kinds(id), { timeout: 60_000, interval: 100 }).toContain('official-notified')
    const allClear = await stack.call('POST', '/v1/emergencies', officer, {
      kind: 'cancel',
      references: id,
      severity: 'Minor',
      urgency: 'Past',
      headline: { it: 'Fine allerta meteo' },
      description: { it: 'Il maltempo è terminato.' },
      trigger: { reason: 'cessato allarme della Regione' },
    })
    expect(allClear.status, JSON.stringify(allClear.body)).toBe(201)
    expect(allClear.body).toMatchObject({ kind: 'cancel', references: id, status: 'active' })
    await expect.poll(() => kinds(id), { timeout: 60_000, interval: 200 }).toContain('superseded')
    const alert = (await stack.call('GET', `/v1/emergencies/${id}`, officer)).body
    expect(alert.followUps).toEqual([{ id: allClear.body.id, kind: 'cancel', status: expect.any(String) }])
    expect((await timelineOf(id)).find((e) => e.kind === 'superseded')?.detail).toMatchObject({ by: allClear.body.id, kind: 'cancel' })
    // Citizens get the all-clear; nobody is escalated to for it.
    await expect.poll(() => to(smsCitizens[0]!.phone).filter((m) => m.text?.includes('CESSATO ALLARME: Fine allerta meteo')).length, { timeout: 60_000, interval: 200 }).toBe(1)
    await expect.poll(() => kinds(allClear.body.id), { timeout: 60_000, interval: 200 }).toContain('closed')
    expect(await kinds(allClear.body.id)).not.toContain('official-notified')
    expect(await kinds(allClear.body.id)).toContain('follows')
  }, 300_000)

  it('carries on after the worker stops mid-alert: the escalation resumes and nobody gets a message twice', async () => {
    const counts = OFFICIALS.map((o) => to(o.phone).length)
    const id = await trigger('Incendio boschivo')
    await expect.poll(() => to(OFFICIALS[0].phone).length, { timeout: 60_000, interval: 100 }).toBe(counts[0]! + 1)
    await worker.stop()
    worker = await startInProcessWorker(stack)
    await expect.poll(() => to(OFFICIALS[1].phone).length, { timeout: ACK_SECONDS * 1000 + 60_000, interval: 200 }).toBe(counts[1]! + 1)
    expect((await stack.call('POST', `/v1/emergencies/${id}/acknowledge`, officer)).status).toBe(200)
    await expect.poll(() => kinds(id), { timeout: 60_000, interval: 200 }).toContain('acknowledged')
    await expect.poll(() => stack.sim.messages({ correlationPrefix: `bc:${id}:` }).length, { timeout: 60_000, interval: 200 }).toBe(25)
    const perPhone = new Map<string, number>()
    for (const m of stack.sim.messages({ correlationPrefix: `bc:${id}:` })) perPhone.set(m.to, (perPhone.get(m.to) ?? 0) + 1)
    expect([...perPhone.values()].every((n) => n === 1)).toBe(true)
    expect(to(OFFICIALS[0].phone).length).toBe(counts[0]! + 1)
    expect(to(OFFICIALS[1].phone).length).toBe(counts[1]! + 1)
  }, 300_000)

  it('turns CAP documents into drafts, linking updates and all-clears, and refuses invalid ones with the reason', async () => {
    const alert = await stack.call('POST', '/v1/emergencies/cap', officer, undefined, { body: capFixture('lombardia-allerta-arancione.xml'), contentType: 'application/cap+xml' })
    expect(alert.status, JSON.stringify(alert.body)).toBe(201)
    expect(alert.body).toMatchObject({
      kind: 'alert',
      status: 'draft',
      source: 'cap',
      cap: { identifier: 'IT-LOM-CFMR-2026-0412', sender: 'allertalom@regione.lombardia.it' },
      message: {
        severity: 'Severe',
        urgency: 'Expected',
        certainty: 'Likely',
        headline: { it: 'Allerta arancione per rischio idrogeologico e idraulico su Milano e pianura centrale' },
        description: { it: expect.stringContaining('Seveso & Lambro') },
        instruction: { it: expect.stringContaining('Evitate i sottopassi') },
        link: 'https://www.regione.lombardia.it/allerte?id=IT-LOM-CFMR-2026-0412&lang=it',
      },
    })
    const update = await stack.call('POST', '/v1/emergencies/cap', officer, undefined, { body: capFixture('lombardia-allerta-aggiornamento.xml'), contentType: 'application/xml' })
    expect(update.body).toMatchObject({ kind: 'update', references: alert.body.id, message: { severity: 'Extreme' } })
    const cancel = await stack.call('POST', '/v1/emergencies/cap', officer, undefined, { body: capFixture('lombardia-cessata-allerta.xml'), contentType: 'text/xml' })
    expect(cancel.body).toMatchObject({ kind: 'cancel', references: alert.body.id })
    const invalid = await stack.call('POST', '/v1/emergencies/cap', officer, undefined, {
      body: capFixture('lombardia-allerta-arancione.xml').replace('<status>Actual</status>', '<status>Real</status>'),
      contentType: 'application/cap+xml',
    })
    expect(invalid).toMatchObject({ status: 400, body: { code: 'CAP_INVALID', detail: expect.stringMatching(/^CAP non valido: .*<status>.*Real/) } })
    const orphan = await stack.call('POST', '/v1/emergencies/cap', officer, undefined, {
      body: capFixture('lombardia-allerta-aggiornamento.xml').replaceAll('IT-LOM-CFMR-2026-0412', 'IT-LOM-CFMR-2026-0001'),
      contentType: 'application/cap+xml',
    })
    expect(orphan).toMatchObject({ status: 400, body: { detail: expect.stringContaining('non è tra le allerte del comune borgo') } })
    // A CAP draft is sent like any other, with the approval skip recorded.
    expect((await stack.call('POST', `/v1/emergencies/${alert.body.id}/trigger`, officer, {})).status).toBe(400)
    const sent = await stack.call('POST', `/v1/emergencies/${alert.body.id}/trigger`, officer, { reason: 'allerta regionale arancione' })
    expect(sent.body).toMatchObject({ status: 'active', approvalSkipReason: 'allerta regionale arancione' })
    expect((await stack.call('POST', `/v1/emergencies/${alert.body.id}/trigger`, officer, { reason: 'di nuovo' })).status).toBe(409)
    await stack.call('POST', `/v1/emergencies/${alert.body.id}/acknowledge`, officer)
  }, 300_000)

  it('lets only civil protection and admins trigger, and checks what they send', async () => {
    expect((await stack.call('POST', '/v1/emergencies', operator, alertBody('Prova'))).status).toBe(403)
    const noItalian = await stack.call('POST', '/v1/emergencies', officer, { ...alertBody('Prova'), headline: { fr: 'Essai' } })
    expect(noItalian).toMatchObject({ status: 422, body: { code: 'DRAFT_INVALID' } })
    const german = await stack.call('POST', '/v1/emergencies', officer, { ...alertBody('Prova'), headline: { it: 'Prova', de: 'Probe' } })
    expect(german).toMatchObject({ status: 422, body: { detail: expect.stringContaining('la lingua de non è del comune') } })
    const orphanUpdate = await stack.call('POST', '/v1/emergencies', officer, { ...alertBody('Prova'), kind: 'update' })
    expect(orphanUpdate).toMatchObject({ status: 422, body: { detail: expect.stringContaining("deve indicare l'allerta che segue") } })
    expect((await stack.call('GET', '/v1/emergencies/00000000-0000-4000-8000-000000000000', officer)).status).toBe(404)
  })
})
