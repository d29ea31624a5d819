import { privacyPolicyVersion, type DataSubjectExport, type ErasureResult } from '@banditore/contracts'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SubscriptionsFixture } from './subscriptions-fixture.js'

const DAY_HOURS = 24

describe('privacy: export, erasure, the append-only ledger, retention', () => {
  let fx: SubscriptionsFixture
  const citizen = '+393406660001'
  let phoneHash: string

  beforeAll(async () => {
    fx = await SubscriptionsFixture.start('2026-03-10T09:30:00Z') // Tuesday, Ancona's desk open
    await fx.send('ancona', { from: citizen, text: 'ISCRIVIMI' })
    await fx.send('ancona', { from: citizen, text: 'Vorrei il certificato di residenza di mia madre' })
    await fx.newReplies()
    await fx.newChanges()
  })
  afterAll(async () => {
    await fx?.close()
  })

  it('exports everything held about a number as JSON', async () => {
    const response = await fx.staff('POST', '/staff/ancona/privacy/export', { phone: '340 666 0001' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-disposition']).toContain('attachment')
    const data = response.json() as DataSubjectExport
    expect(data).toMatchObject({ version: 3, tenant: 'ancona', phone: citizen, pendingConfirmations: [], sends: [], pacing: [], moderation: { senderHistory: null, reviewItems: [] } })
    expect(data.subscriber).toMatchObject({ phone: citizen, status: 'active', language: 'it' })
    expect(data.consentLedger).toHaveLength(1)
    expect(data.consentLedger[0]).toMatchObject({ event: 'subscribed', evidence_text: 'ISCRIVIMI', phone: citizen })
    expect(data.deskMessages).toHaveLength(1)
    expect(data.deskMessages[0]).toMatchObject({ text: 'Vorrei il certificato di residenza di mia madre' })
    phoneHash = data.subscriber!.phone_hash as string
  })

  it('refuses UPDATE, DELETE and TRUNCATE on the consent ledger, and any redaction that changes more than personal columns', async () => {
    const attempts = [
      sql`update subscriptions.consent_ledger set evidence_text = 'forged'`,
      sql`delete from subscriptions.consent_ledger`,
      sql`truncate subscriptions.consent_ledger`,
    ]
    for (const attempt of attempts) await expect(fx.query(attempt)).rejects.toThrow(/append-only/)
    await expect(
      fx.pool.transaction().execute(async (trx) => {
        await sql`select set_config('banditore.consent_redaction', 'on', true)`.execute(trx)
        await sql`update subscriptions.consent_ledger set event = 'unsubscribed', redacted_at = now(), redaction = 'erasure'`.execute(trx)
      }),
    ).rejects.toThrow(/may only clear personal columns/)
    await expect(
      fx.pool.transaction().execute(async (trx) => {
        await sql`select set_config('banditore.consent_redaction', 'on', true)`.execute(trx)
        await sql`update subscriptions.consent_ledger set evidence_text = null`.execute(trx)
      }),
    ).rejects.toThrow(/must record when and why/)
    expect((await fx.ledger('ancona', citizen))[0]).toMatchObject({ evidence_text: 'ISCRIVIMI', event: 'subscribed', redacted_at: null })
  })

  it('erases a number, keeping only the anonymised proof of consent and withdrawal', async () => {
    const response = await fx.staff('POST', '/staff/ancona/privacy/erasure', { phone: citizen, reason: 'richiesta art. 17 prot. 123' })
    expect(response.statusCode).toBe(200)
    const result = response.json() as ErasureResult
    expect(result).toMatchObject({ tenant: 'ancona', phoneHash, subscriberDeleted: true, consentRowsAnonymised: 2, deskMessagesDeleted: 1 })

    expect((await fx.newChanges()).map((c) => `${c.change}:${c.phone}`)).toEqual([`unsubscribed:${citizen}`, `erased:${citizen}`])
    expect(await fx.newReplies()).toEqual([])
    expect(await fx.subscriber('ancona', citizen)).toBeUndefined()
    expect(await fx.ledger('ancona', citizen)).toEqual([])
    const proof = await fx.db.selectFrom('consent_ledger').selectAll().where('phone_hash', '=', phoneHash).orderBy('id').execute()
    expect(proof.map((r) => r.event)).toEqual(['subscribed', 'unsubscribed'])
    for (const row of proof) {
      expect(row).toMatchObject({ phone: null, evidence_text: null, evidence_form: null, redaction: 'erasure', policy_version: privacyPolicyVersion(fx.tenants.get('ancona')!.privacyPolicy.it!) })
      expect(row.occurred_at).toBeInstanceOf(Date)
    }
    expect(proof[1]).toMatchObject({ door: 'staff', actor: 'token:urp', reason: 'erasure: richiesta art. 17 prot. 123' })

    const after = (await fx.staff('POST', '/staff/ancona/privacy/export', { phone: citizen })).json() as DataSubjectExport
    expect(after).toMatchObject({ subscriber: null, deskMessages: [], pendingConfirmations: [] })
    expect(after.consentLedger.map((r) => r.phone)).toEqual([null, null])
  })

  it('lets the erased number subscribe again as a new subscriber', async () => {
    await fx.send('ancona', { from: citizen, text: 'Iscrivimi' })
    expect((await fx.newReplies()).map((r) => r.id.split(':').at(-1))).toEqual(['welcome', 'privacy'])
    expect(await fx.ledger('ancona', citizen)).toHaveLength(1)
    await fx.newChanges()
  })

  it('redacts desk texts, old consent evidence and forgets quiet non-subscribers on schedule', async () => {
    const leaver = '+393406660002'
    const passer = '+393406660003'
    await fx.send('ancona', { from: leaver, text: 'ISCRIVIMI' })
    await fx.send('ancona', { from: citizen, text: 'Domanda per lo sportello' })
    await fx.send('ancona', { from: passer, text: 'Salve' })
    fx.advanceHours(1)
    await fx.send('ancona', { from: leaver, text: 'CANCELLAMI' })
    await fx.newReplies()

    fx.advanceHours(40 * DAY_HOURS)
    const early = await fx.service.retention.runOnce()
    expect(early).toMatchObject({ deskMessagesRedacted: 0, consentRowsRedacted: 0, sendersForgotten: 2 })
    expect(await fx.subscriber('ancona', passer)).toBeUndefined()
    expect(await fx.subscriber('ancona', leaver)).toBeUndefined()

    fx.advanceHours(60 * DAY_HOURS)
    expect(await fx.service.retention.runOnce()).toMatchObject({ deskMessagesRedacted: 1, consentRowsRedacted: 0 })
    const [desk] = await fx.db.selectFrom('desk_message').selectAll().execute()
    expect(desk).toMatchObject({ text: null, media: [] })
    expect(desk!.redacted_at).toBeInstanceOf(Date)

    fx.advanceHours(700 * DAY_HOURS)
    expect(await fx.service.retention.runOnce()).toMatchObject({ consentRowsRedacted: 2 })
    const leaverRows = await fx.ledger('ancona', leaver)
    expect(leaverRows.map((r) => `${r.event}:${r.evidence_text}:${r.redaction}`)).toEqual(['subscribed:null:retention', 'unsubscribed:null:retention'])
    // An active subscription keeps its evidence however old.
    expect((await fx.ledger('ancona', citizen))[0]).toMatchObject({ evidence_text: 'Iscrivimi', redaction: null })
  })

  it('skips a retention pass while another instance runs one', async () => {
    const outcome = await fx.pool.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext('banditore.subscriptions.retention'))`.execute(trx)
      return await fx.service.retention.runOnce()
    })
    expect(outcome).toBe('skipped')
    expect(await fx.service.retention.runOnce()).not.toBe('skipped')
  })

  // Last: the other services' responders stay down.
  it('refuses an export the worker or moderation cannot complete, and says which and what to do', async () => {
    await fx.stopOtherServices()
    const response = await fx.staff('POST', '/staff/ancona/privacy/export', { phone: citizen })
    expect(response.statusCode).toBe(503)
    expect(response.json()).toMatchObject({ status: 503, code: 'EXPORT_INCOMPLETE', detail: expect.stringMatching(/^esportazione non completa: il servizio .+ non ha risposto; riprovare/) })
  })
})
