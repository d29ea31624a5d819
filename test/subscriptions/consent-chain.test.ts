import type { ConsentChainVerification, ConsentReceiptProof, DataSubjectExport } from '@banditore/contracts'
import { createHash } from 'node:crypto'
import { chainUnchainedRecords, checkExportProofs, verifyReceiptProof } from '@banditore/subscriptions'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANCONA_TOKEN, SubscriptionsFixture } from './subscriptions-fixture.js'

// A WhatsApp webhook's proof as ingest carries it (InboundMessage version 2).
const proof = (n: number) => ({ bodySha256: n.toString(16).padStart(64, 'a'), signature: `sha256=${n.toString(16).padStart(64, 'b')}` })

describe('the consent ledger as a hash chain per tenant', () => {
  let fx: SubscriptionsFixture
  const citizens = ['+393406670001', '+393406670002', '+393406670003', '+393406670004', '+393406670005', '+393406670006']

  const verify = async (tenant: string) => {
    const response = await fx.staff('GET', `/staff/${tenant}/privacy/consent-ledger/verify`)
    expect(response.statusCode).toBe(200)
    return response.json() as ConsentChainVerification
  }
  /** Runs one statement with the ledger's guard switched off, as someone with the owner's rights could. */
  const tamper = async (statement: ReturnType<typeof sql>) => {
    await fx.pool.transaction().execute(async (trx) => {
      await sql`alter table subscriptions.consent_ledger disable trigger consent_ledger_append_only`.execute(trx)
      await statement.execute(trx)
      await sql`alter table subscriptions.consent_ledger enable trigger consent_ledger_append_only`.execute(trx)
    })
  }

  beforeAll(async () => {
    fx = await SubscriptionsFixture.start('2026-03-10T09:30:00Z')
    for (const [i, from] of citizens.entries()) {
      await fx.verdict({ ...fx.message('ancona', { from, text: 'ISCRIVIMI' }), version: 2, webhook: proof(i + 1) })
    }
    await fx.send('corbetta', { from: citizens[0]!, channel: 'sms', text: 'ADD WA' })
    await fx.newReplies()
  })
  afterAll(async () => {
    await fx?.close()
  })

  it('chains every consent to the previous one of its tenant, with the provider proof of the webhook', async () => {
    const rows = await fx.db.selectFrom('consent_ledger').selectAll().where('tenant', '=', 'ancona').orderBy('chain_seq').execute()
    expect(rows.map((r) => Number(r.chain_seq))).toEqual([1, 2, 3, 4, 5, 6])
    for (const [i, row] of rows.entries()) {
      expect(row.hash).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(row.prev_hash).toBe(i === 0 ? `sha256:${'0'.repeat(64)}` : rows[i - 1]!.hash)
      expect(row).toMatchObject({ webhook_body_sha256: proof(i + 1).bodySha256, webhook_signature: proof(i + 1).signature })
      expect(row.evidence_digest).toMatch(/^hmac-sha256:/)
    }
    expect(await verify('ancona')).toEqual({ tenant: 'ancona', valid: true, recordsVerified: 6, headHash: rows[5]!.hash, firstBrokenLink: null })
    // Another tenant's chain is its own.
    expect(await verify('corbetta')).toMatchObject({ valid: true, recordsVerified: 1 })
    expect(await verify('magenta')).toMatchObject({ valid: true, recordsVerified: 0, headHash: `sha256:${'0'.repeat(64)}` })
  })

  it('keeps one unbroken chain when staff record withdrawals at the same time', async () => {
    const removals = citizens.slice(1, 5).map((phone) => fx.staff('POST', '/staff/ancona/removals', { phone, reason: 'richiesta scritta' }))
    for (const response of await Promise.all(removals)) expect(response.statusCode).toBe(200)
    expect(await verify('ancona')).toMatchObject({ valid: true, recordsVerified: 10 })
  })

  it('still verifies after an erasure anonymised the citizen records', async () => {
    expect((await fx.staff('POST', '/staff/ancona/privacy/erasure', { phone: citizens[0], reason: 'art. 17' })).statusCode).toBe(200)
    const erased = await fx.db.selectFrom('consent_ledger').selectAll().where('tenant', '=', 'ancona').where('redaction', '=', 'erasure').execute()
    expect(erased.length).toBe(2)
    for (const row of erased) expect(row).toMatchObject({ phone: null, evidence_text: null })
    expect(await verify('ancona')).toMatchObject({ valid: true, recordsVerified: 11 })
  })

  it('exports each record with its chain link', async () => {
    const exported = (await fx.staff('POST', '/staff/ancona/privacy/export', { phone: citizens[5] })).json() as { consentLedger: Record<string, unknown>[] }
    expect(exported.consentLedger).toHaveLength(1)
    expect(exported.consentLedger[0]).toMatchObject({ chain_seq: 6, hash: expect.stringMatching(/^sha256:/), prev_hash: expect.stringMatching(/^sha256:/) })
  })

  it("records each day's root once, in the audit trail, and gives a citizen the roots of their receipts", async () => {
    const head = await verify('ancona')
    expect(head).toMatchObject({ valid: true, recordsVerified: 11 })
    // Roots close at midnight in Rome: as of tomorrow, today's is due.
    const tomorrow = new Date(Date.now() + 86_400_000)
    const roots = (await fx.service.retention.recordChainRoots(tomorrow)).filter((r) => r.tenant === 'ancona')
    expect(roots.at(-1)).toMatchObject({ headSeq: 11, headHash: head.headHash, merkleRoot: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(roots.reduce((n, r) => n + r.records, 0)).toBe(11)
    expect(await fx.service.retention.recordChainRoots(tomorrow)).toEqual([])

    const listed = await fx.staff('GET', '/staff/ancona/privacy/consent-ledger/roots')
    expect(listed.statusCode).toBe(200)
    expect((listed.json() as { roots: unknown[] }).roots).toEqual(roots.map(({ tenant: _tenant, ...root }) => root))
    const audit = await fx.db.selectFrom('staff_audit').selectAll().where('tenant', '=', 'ancona').where('action', '=', 'consent-chain-root').orderBy('id').execute()
    expect(audit.map((a) => a.detail)).toEqual(roots.map((r) => ({ day: r.day, headSeq: r.headSeq, headHash: r.headHash, records: r.records, merkleRoot: r.merkleRoot })))
    expect(audit.every((a) => a.actor === 'sistema')).toBe(true)

    // The sixth citizen's consent (sequence 6) is covered by the first root at or after it.
    const exported = (await fx.staff('POST', '/staff/ancona/privacy/export', { phone: citizens[5] })).json() as DataSubjectExport
    expect(exported.consentChainRoots).toEqual(
      [roots.find((r) => r.headSeq >= 6)].map((r) => ({ day: r!.day, headSeq: r!.headSeq, headHash: r!.headHash, records: r!.records, merkleRoot: r!.merkleRoot })),
    )
    // Registered roots only grow.
    await expect(fx.query(sql`update subscriptions.consent_chain_root set head_hash = 'sha256:0'`)).rejects.toThrow(/consent_chain_root is append-only: UPDATE refused/)
    expect((await fx.staff('GET', '/staff/ancona/privacy/consent-ledger/roots', undefined, ANCONA_TOKEN)).statusCode).toBe(403)
  })

  it("proves each receipt in its day's Merkle root, and a record edited in PostgreSQL fails its proof", async () => {
    const roots = (await fx.staff('GET', '/staff/ancona/privacy/consent-ledger/roots')).json() as { roots: { day: string; records: number; merkleRoot: string | null }[] }
    // The second citizen subscribed and was removed: two receipts, each with a proof.
    const exported = (await fx.staff('POST', '/staff/ancona/privacy/export', { phone: citizens[1] })).json() as DataSubjectExport
    expect(exported.version).toBe(3)
    expect(exported.consentLedger).toHaveLength(2)
    for (const record of exported.consentLedger) {
      const proof = record.proof as ConsentReceiptProof
      const root = roots.roots.find((r) => r.day === proof.day)!
      expect(proof).toMatchObject({ treeSize: root.records, merkleRoot: root.merkleRoot })
      expect(proof.leafIndex).toBeLessThan(proof.treeSize)
      expect(verifyReceiptProof(record.hash as string, proof)).toBe(true)
      expect(exported.consentChainRoots.find((r) => r.day === proof.day)?.merkleRoot).toBe(root.merkleRoot)
    }
    expect(checkExportProofs(exported, new Set(roots.roots.flatMap((r) => (r.merkleRoot ? [r.merkleRoot] : []))))).toEqual(
      exported.consentLedger.map((r) => expect.objectContaining({ chainSeq: Number(r.chain_seq), result: 'ok' })),
    )

    // Someone with the owner's rights rewrites the first receipt and its hash: the registered root stays, the proof fails.
    const seq = Number(exported.consentLedger[0]!.chain_seq)
    const [row] = await fx.db.selectFrom('consent_ledger').select(['id', 'hash']).where('tenant', '=', 'ancona').where('chain_seq', '=', seq).execute()
    const forged = `sha256:${createHash('sha256').update('forged').digest('hex')}`
    await tamper(sql`update subscriptions.consent_ledger set hash = ${forged} where id = ${row!.id}`)
    try {
      const after = (await fx.staff('POST', '/staff/ancona/privacy/export', { phone: citizens[1] })).json() as DataSubjectExport
      const [first, second] = after.consentLedger
      expect(first).toMatchObject({ hash: forged })
      expect(verifyReceiptProof(first!.hash as string, first!.proof as ConsentReceiptProof)).toBe(false)
      // The path does not depend on the leaf itself: the receipt as the citizen got it still proves
      // itself in the registered root, and so shows what the ledger held that day.
      expect(verifyReceiptProof(row!.hash!, first!.proof as ConsentReceiptProof)).toBe(true)
      expect(checkExportProofs(after)[0]).toMatchObject({ chainSeq: seq, result: 'fail', reason: 'path-mismatch' })
      // The other receipt shares the day's tree only when both are in one day.
      if ((second!.proof as ConsentReceiptProof).day === (first!.proof as ConsentReceiptProof).day) {
        expect(verifyReceiptProof(second!.hash as string, second!.proof as ConsentReceiptProof)).toBe(false)
      }
      expect(await verify('ancona')).toMatchObject({ valid: false, firstBrokenLink: { id: row!.id, reason: 'hash-mismatch' } })
    } finally {
      await tamper(sql`update subscriptions.consent_ledger set hash = ${row!.hash} where id = ${row!.id}`)
    }
    expect(await verify('ancona')).toMatchObject({ valid: true, recordsVerified: 11 })
  })

  it('names the row whose evidence was edited directly in PostgreSQL', async () => {
    const [row] = await fx.db.selectFrom('consent_ledger').select('id').where('tenant', '=', 'ancona').where('chain_seq', '=', 6).execute()
    await tamper(sql`update subscriptions.consent_ledger set evidence_text = 'ISCRIVIMI A TUTTO' where id = ${row!.id}`)
    expect(await verify('ancona')).toMatchObject({ valid: false, recordsVerified: 5, firstBrokenLink: { id: row!.id, chainSeq: 6, reason: 'evidence-mismatch' } })
  })

  it('names the row whose proof was edited, and the gap a deleted row leaves', async () => {
    const rows = await fx.db.selectFrom('consent_ledger').select(['id', 'chain_seq']).where('tenant', '=', 'corbetta').orderBy('chain_seq').execute()
    await tamper(sql`update subscriptions.consent_ledger set policy_version = 'sha256:forged' where id = ${rows[0]!.id}`)
    expect(await verify('corbetta')).toMatchObject({ valid: false, recordsVerified: 0, firstBrokenLink: { id: rows[0]!.id, chainSeq: 1, reason: 'hash-mismatch' } })

    await fx.send('gressan', { from: citizens[0]!, text: 'MI ISCRIVO' })
    await fx.send('gressan', { from: citizens[1]!, text: 'MI ISCRIVO' })
    const gressan = await fx.db.selectFrom('consent_ledger').select(['id', 'chain_seq']).where('tenant', '=', 'gressan').orderBy('chain_seq').execute()
    expect(gressan).toHaveLength(2)
    await tamper(sql`delete from subscriptions.consent_ledger where id = ${gressan[0]!.id}`)
    expect(await verify('gressan')).toMatchObject({ valid: false, firstBrokenLink: { id: gressan[1]!.id, chainSeq: 2, reason: 'sequence-gap' } })
    await tamper(sql`delete from subscriptions.consent_ledger where id = ${gressan[1]!.id}`)
    expect(await verify('gressan')).toMatchObject({ valid: false, firstBrokenLink: { id: null, reason: 'head-mismatch' } })
  })

  it('chains records written before the chain existed, after the last link', async () => {
    await fx.send('calcinato', { from: citizens[2]!, text: 'ISCRIZIONE Mario Rossi' })
    const [first] = await fx.db.selectFrom('consent_ledger').selectAll().where('tenant', '=', 'calcinato').execute()
    await fx.db
      .insertInto('consent_ledger')
      .values({ tenant: 'calcinato', subscriber_id: first!.subscriber_id, phone: citizens[2]!, phone_hash: first!.phone_hash, event: 'unsubscribed', door: 'whatsapp', language: 'it', evidence_text: 'CANCELLAZIONE', actor: 'citizen', occurred_at: new Date() })
      .execute()
    expect(await verify('calcinato')).toMatchObject({ valid: false, firstBrokenLink: { reason: 'unchained' } })
    expect(await chainUnchainedRecords(fx.db, fx.service.processing.hashPhone)).toBe(1)
    expect(await verify('calcinato')).toMatchObject({ valid: true, recordsVerified: 2 })
  })

  it('refuses to verify for staff without the privacy role', async () => {
    expect((await fx.staff('GET', '/staff/ancona/privacy/consent-ledger/verify', undefined, ANCONA_TOKEN)).statusCode).toBe(403)
  })
})

describe('the audit trails only grow', () => {
  let fx: SubscriptionsFixture
  beforeAll(async () => {
    fx = await SubscriptionsFixture.start('2026-03-10T09:30:00Z')
  })
  afterAll(async () => {
    await fx?.close()
  })

  it('refuses UPDATE, DELETE and TRUNCATE on staff_audit and desk_audit', async () => {
    await fx.query(sql`insert into subscriptions.desk_audit (tenant, actor, action, occurred_at) values ('ancona', 'token:urp', 'assigned', now())`)
    await fx.query(sql`insert into subscriptions.staff_audit (tenant, actor, action, occurred_at) values ('ancona', 'token:urp', 'exported', now())`)
    for (const table of ['staff_audit', 'desk_audit']) {
      const t = sql.table(`subscriptions.${table}`)
      await expect(fx.query(sql`update ${t} set actor = 'someone else'`)).rejects.toThrow(new RegExp(`${table} is append-only: UPDATE refused`))
      await expect(fx.query(sql`delete from ${t}`)).rejects.toThrow(new RegExp(`${table} is append-only: DELETE refused`))
      await expect(fx.query(sql`truncate ${t}`)).rejects.toThrow(new RegExp(`${table} is append-only: TRUNCATE refused`))
    }
    for (const table of ['staff_audit', 'desk_audit']) {
      const { rows } = await fx.query(sql<{ actor: string }>`select actor from ${sql.table(`subscriptions.${table}`)}`)
      expect(rows).toEqual([{ actor: 'token:urp' }])
    }
  })
})
