import type { CounterSignupResult, DataSubjectExport, SubscriberDetail, SubscriberSearchResult } from '@banditore/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANCONA_TOKEN, SubscriptionsFixture } from './subscriptions-fixture.js'

// The subscribers and privacy screens' API: search by any usual form of a number (looked up by
// its keyed hash) or by name, a subscriber's page with the consent ledger, a paper form signed at
// the counter (double opt-in as the web form), removal, block, export and erasure, each in the
// audit trail with who did it.
describe('subscribers: search, page, counter sign-up, removal, block, export, erasure', () => {
  let fx: SubscriptionsFixture
  const citizen = '+393471112233'
  const named = '+393471112244'
  const counter = '+393471112255'

  const search = async (tenant: string, query: string, token?: string) => {
    const response = await fx.staff('POST', `/staff/${tenant}/subscribers/search`, { query }, token)
    expect(response.statusCode).toBe(200)
    return response.json() as SubscriberSearchResult
  }

  beforeAll(async () => {
    fx = await SubscriptionsFixture.start('2026-03-10T09:30:00Z')
    await fx.send('corbetta', { from: citizen, channel: 'sms', text: 'ADD WA' })
    await fx.send('calcinato', { from: named, text: 'ISCRIZIONE Maria Rossi' })
    await fx.newReplies()
    await fx.newChanges()
  })
  afterAll(async () => {
    await fx?.close()
  })

  it('finds a subscriber by the number in any usual form, and by name', async () => {
    for (const form of ['347 111 2233', '+39 347-111-2233', '0039 3471112233', '(347) 111.2233']) {
      const found = await search('corbetta', form)
      expect(found.matchedBy).toBe('phone')
      expect(found.subscribers.map((s) => s.phone)).toEqual([citizen])
    }
    expect((await search('calcinato', '347 111 2233')).subscribers).toEqual([])
    const byName = await search('calcinato', 'rossi maria')
    expect(byName).toMatchObject({ matchedBy: 'name', subscribers: [{ phone: named, name: 'Maria Rossi', status: 'active', channel: 'whatsapp' }] })
    expect((await search('calcinato', 'bianchi')).subscribers).toEqual([])
  })

  it('shows a subscriber with channels, topics, state and the consent ledger', async () => {
    const [found] = (await search('corbetta', citizen)).subscribers
    const response = await fx.staff('GET', `/staff/corbetta/subscribers/${found!.id}`)
    expect(response.statusCode).toBe(200)
    const detail = response.json() as SubscriberDetail
    expect(detail.subscriber).toMatchObject({ phone: citizen, channel: 'whatsapp', status: 'active', language: 'it', blocked: false })
    expect(detail.subscriber.topics).toContain('emergenze')
    expect(detail.consentLedger).toEqual([expect.objectContaining({ event: 'subscribed', door: 'sms', evidenceText: 'ADD WA', actor: 'citizen' })])
    expect(detail.consentLedger[0]!.policyVersion).toMatch(/^sha256:/)
    expect(detail.audit[0]).toMatchObject({ action: 'viewed', actor: 'token:urp' })
  })

  it('records a paper form signed at the counter: a declared consent and a confirmation request, once', async () => {
    const form = { phone: '347 111 2255', name: ' Giulia  Verdi ', topics: ['eventi'], formReference: 'URP-2026-0042', signedAt: '2026-03-09' }
    const first = await fx.staff('POST', '/staff/corbetta/paper-signups', form)
    expect(first.statusCode).toBe(201)
    expect(first.json()).toMatchObject({ status: 'confirmation-requested' })
    await fx.settle('corbetta')
    const replies = await fx.newReplies()
    expect(replies).toEqual([expect.objectContaining({ id: 'paper-form:corbetta:URP-2026-0042:confirmation-request', to: counter, channel: 'sms' })])
    const again = await fx.staff('POST', '/staff/corbetta/paper-signups', form)
    expect(again.statusCode).toBe(200)
    expect((again.json() as CounterSignupResult).status).toBe('already-recorded')
    expect(await fx.newReplies()).toEqual([])
    const ledger = await fx.ledger('corbetta', counter)
    expect(ledger).toEqual([expect.objectContaining({ event: 'signup-requested', door: 'paper', actor: 'token:urp' })])
    expect(ledger[0]!.evidence_form).toMatchObject({ kind: 'paper-signup', name: 'Giulia Verdi', formReference: 'URP-2026-0042', signedAt: '2026-03-09', operator: 'token:urp' })

    // The citizen answers as to any form's confirmation request.
    await fx.send('corbetta', { from: counter, channel: 'sms', text: 'SI' })
    expect(await fx.subscriber('corbetta', counter)).toMatchObject({ status: 'active', name: 'Giulia Verdi', topics: ['eventi'] })
    expect((await fx.ledger('corbetta', counter)).map((r) => `${r.event}:${r.door}`)).toEqual(['signup-requested:paper', 'subscribed:paper'])
    await fx.newReplies()

    const refused = await fx.staff('POST', '/staff/ancona/paper-signups', { ...form, formReference: 'X-1' })
    expect(refused.statusCode).toBe(403)
    const invalid = await fx.staff('POST', '/staff/corbetta/paper-signups', { ...form, phone: '12', formReference: 'X-2' })
    expect(invalid.statusCode).toBe(400)
  })

  it('removes ex officio with a reason, blocks and unblocks, all in the ledger and the audit trail', async () => {
    const [found] = (await search('corbetta', citizen)).subscribers
    const id = found!.id
    await fx.newChanges()
    expect((await fx.staff('POST', `/staff/corbetta/subscribers/${id}/block`, { reason: 'messaggi offensivi' })).json()).toMatchObject({ blocked: true, changed: true })
    expect((await fx.staff('POST', `/staff/corbetta/subscribers/${id}/unblock`, {})).json()).toMatchObject({ blocked: false, changed: true })
    expect((await fx.staff('POST', `/staff/corbetta/subscribers/${id}/removal`, { reason: 'uso improprio del servizio' })).json()).toMatchObject({ status: 'inactive', changed: true })
    expect((await fx.staff('POST', `/staff/corbetta/subscribers/${id}/removal`, { reason: 'x' })).statusCode).toBe(400)
    await fx.settle('corbetta')
    const detail = (await fx.staff('GET', `/staff/corbetta/subscribers/${id}`)).json() as SubscriberDetail
    expect(detail.subscriber.status).toBe('inactive')
    expect(detail.consentLedger.at(-1)).toMatchObject({ event: 'unsubscribed', door: 'staff', reason: 'ex officio: uso improprio del servizio', actor: 'token:urp' })
    expect(detail.audit.map((a) => a.action).filter((a) => a !== 'viewed')).toEqual(['removed', 'unblocked', 'blocked'])
    expect(detail.audit.find((a) => a.action === 'blocked')).toMatchObject({ actor: 'token:urp', detail: { reason: 'messaggi offensivi' } })
    expect((await fx.newChanges()).map((c) => c.change)).toEqual(['blocked', 'unblocked', 'unsubscribed'])
  })

  it('lets the desk search and act but keeps export and erasure to the privacy officer', async () => {
    await fx.send('ancona', { from: '+393471112266', text: 'Iscrivimi' })
    const [found] = (await search('ancona', '3471112266', ANCONA_TOKEN)).subscribers
    expect((await fx.staff('GET', `/staff/ancona/subscribers/${found!.id}`, undefined, ANCONA_TOKEN)).statusCode).toBe(200)
    expect((await fx.staff('POST', `/staff/ancona/subscribers/${found!.id}/export`, {}, ANCONA_TOKEN)).statusCode).toBe(403)
    expect((await fx.staff('POST', `/staff/ancona/subscribers/${found!.id}/erasure`, {}, ANCONA_TOKEN)).statusCode).toBe(403)
    expect((await fx.staff('POST', '/staff/corbetta/subscribers/search', { query: citizen }, ANCONA_TOKEN)).statusCode).toBe(403)
    expect((await fx.staff('POST', '/staff/ancona/subscribers/search', { query: citizen }, null)).statusCode).toBe(401)
  })

  it('exports as a download, then erases: the subscriber is gone, the anonymised proof and the audit stay', async () => {
    const [found] = (await search('calcinato', 'Maria Rossi')).subscribers
    const id = found!.id
    const exported = await fx.staff('POST', `/staff/calcinato/subscribers/${id}/export`, {})
    expect(exported.statusCode).toBe(200)
    expect(String(exported.headers['content-disposition'])).toContain('attachment')
    expect(exported.json()).toMatchObject({ version: 3, tenant: 'calcinato', phone: named, subscriber: { name: 'Maria Rossi' }, sends: [], optOutCache: null, moderation: { senderHistory: null, reviewItems: [] } } satisfies Partial<DataSubjectExport>)

    const erased = await fx.staff('POST', `/staff/calcinato/subscribers/${id}/erasure`, { reason: 'richiesta art. 17' })
    expect(erased.statusCode).toBe(200)
    expect(erased.json()).toMatchObject({ subscriberDeleted: true, consentRowsAnonymised: 2 })
    expect((await search('calcinato', named)).subscribers).toEqual([])
    expect((await search('calcinato', 'Rossi')).subscribers).toEqual([])
    expect((await fx.staff('GET', `/staff/calcinato/subscribers/${id}`)).statusCode).toBe(404)
    expect((await fx.staff('POST', `/staff/calcinato/subscribers/${id}/export`, {})).statusCode).toBe(404)
    const hash = (erased.json() as { phoneHash: string }).phoneHash
    const proof = await fx.db.selectFrom('consent_ledger').selectAll().where('phone_hash', '=', hash).orderBy('id').execute()
    expect(proof.map((r) => `${r.event}:${r.phone}:${r.redaction}`)).toEqual(['subscribed:null:erasure', 'unsubscribed:null:erasure'])
    const audit = await fx.db.selectFrom('staff_audit').selectAll().where('phone_hash', '=', hash).orderBy('id').execute()
    expect(audit.map((a) => a.action)).toEqual(['exported', 'erased'])
    expect(audit.every((a) => a.actor === 'token:urp')).toBe(true)
  })
})
