import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBroadcastStack, type BroadcastStack } from './support/broadcast-stack.js'
import { BORGO } from './support/broadcast-tenant.js'
import { audienceOf } from './support/subscribers.js'

const draft = {
  title: 'Raccolta rifiuti',
  topics: ['avvisi'],
  sms: { texts: { it: 'Comune di Borgo: la raccolta della carta è spostata a giovedì.' } },
}

/** The routes the console reads: rejection, dry run, dashboard, emergency list and templates. */
describe('console routes of the staff API', () => {
  let stack: BroadcastStack
  let operator: string
  let approver: string

  beforeAll(async () => {
    stack = await startBroadcastStack({ whatsappMps: 80, smsMps: 10 })
    operator = await stack.token('operator', 'carla@borgo.example')
    approver = await stack.token('approver', 'dario@borgo.example')
    await stack.audience.add([
      ...audienceOf(BORGO.id, 4, { topics: ['avvisi'] }),
      ...audienceOf(BORGO.id, 2, { from: 100, channel: 'sms', topics: ['avvisi'] }),
      ...audienceOf(BORGO.id, 3, { from: 200, language: 'fr', topics: ['eventi'] }),
    ])
  })
  afterAll(async () => {
    await stack?.stop()
  })

  it('rejects a draft with a reason: it stays editable, the reason is audited, four eyes hold', async () => {
    const created = await stack.call('POST', '/v1/broadcasts', operator, draft)
    expect(created.status).toBe(201)
    const id = created.body.id
    expect((await stack.call('POST', `/v1/broadcasts/${id}/reject`, operator, { reason: 'da rivedere' })).status).toBe(403)
    expect((await stack.call('POST', `/v1/broadcasts/${id}/reject`, approver, { reason: 'x' })).status).toBe(400)
    const rejected = await stack.call('POST', `/v1/broadcasts/${id}/reject`, approver, { reason: 'Manca il giorno di recupero' })
    expect(rejected).toMatchObject({ status: 200, body: { status: 'draft' } })
    const audit = await stack.call('GET', `/v1/broadcasts/${id}/audit`, operator)
    expect(audit.body.entries.at(-1)).toMatchObject({ action: 'rejected', holder: 'dario@borgo.example', detail: { reason: 'Manca il giorno di recupero' } })
    expect((await stack.call('PUT', `/v1/broadcasts/${id}`, operator, { ...draft, title: 'Raccolta rifiuti (corretta)' })).status).toBe(200)
  })

  it('dry-runs a draft: audience per channel and language, outbound check, duration at the cap; nothing stored', async () => {
    const before = await stack.call('GET', '/v1/broadcasts', operator)
    const preview = await stack.call('POST', '/v1/broadcasts/preview', operator, { topics: ['avvisi'], sms: draft.sms })
    expect(preview.status).toBe(200)
    expect(preview.body.audience).toMatchObject({ total: 6, byChannel: { whatsapp: 4, sms: 2 }, byChannelAndLanguage: { 'whatsapp:it': 4, 'sms:it': 2 } })
    expect(preview.body.outboundCheck.state).toBe('clean')
    expect(preview.body.duration).toMatchObject({ whatsapp: { recipients: 4, messagesPerSecond: 80 }, sms: { recipients: 2, messagesPerSecond: 10, seconds: 0.2 } })
    expect((await stack.call('GET', '/v1/broadcasts', operator)).body.broadcasts.length).toBe(before.body.broadcasts.length)
    const flagged = await stack.call('POST', '/v1/broadcasts/preview', operator, { topics: ['avvisi'], sms: { texts: { it: 'Votate la lista civica alle prossime elezioni!' } } })
    expect(flagged.body.outboundCheck.state).toBe('flagged')
    const wrong = await stack.call('POST', '/v1/broadcasts/preview', operator, { topics: ['sport'] })
    expect(wrong).toMatchObject({ status: 422, body: { detail: expect.stringContaining('/topics/0') } })
  })

  it('gives the dashboard: subscribers by channel, topic and language, recent broadcasts, open emergencies', async () => {
    const overview = await stack.call('GET', '/v1/overview', approver)
    expect(overview.status).toBe(200)
    expect(overview.body.subscribers).toMatchObject({ total: 9, byChannel: { whatsapp: 7, sms: 2 }, byLanguage: { it: 6, fr: 3 }, byTopic: { emergenze: 9, avvisi: 6, eventi: 3 } })
    expect(overview.body.broadcasts.recent.length).toBeGreaterThan(0)
    expect(overview.body.broadcasts.awaitingApproval).toBeGreaterThan(0)
    expect(overview.body.emergencies.open).toEqual([])
    // The dry runs and the dashboard were counted, not paged: no audience was written down.
    expect(await stack.audience.db.selectFrom('audience_snapshot').select('snapshot_id').execute()).toEqual([])
  })

  it('lists emergencies and templates only to the roles and tenant they belong to', async () => {
    const civil = await stack.token('civil-protection', 'pc@borgo.example')
    expect((await stack.call('GET', '/v1/emergencies', civil)).body).toEqual({ emergencies: [] })
    expect((await stack.call('GET', '/v1/emergency-templates', civil)).body).toMatchObject({ languages: ['it', 'fr'], templates: [] })
    expect((await stack.call('GET', '/v1/emergency-templates', operator)).status).toBe(403)
    expect((await stack.call('GET', '/v1/overview?tenant=altrove', operator)).status).toBe(422)
    const options = await stack.call('GET', '/v1/compose-options', operator)
    expect(options.body).toMatchObject({ languages: ['it', 'fr'], channels: { whatsapp: { messagesPerSecond: 80 }, sms: { messagesPerSecond: 10 } } })
  })
})
