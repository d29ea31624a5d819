import { describe, expect, it } from 'vitest'
import type { ConsentRecord } from '../subscriptions-database.js'
import { ChainWalk, consentRecordHash, evidenceDigest, GENESIS_HASH } from './consent-chain.js'
import { createPhoneHasher } from './phone-hash.js'

const hashPhone = createPhoneHasher('consent-chain-unit-test-key-0123456789')

function record(seq: number, prev: string, overrides: Partial<ConsentRecord> = {}): ConsentRecord {
  const base = {
    id: seq * 10,
    tenant: 'ancona',
    subscriber_id: '6f1c1f4e-4d38-4c36-9a0e-1f6a3b1c2d3e',
    phone: '+393406670001',
    phone_hash: hashPhone('ancona', '+393406670001'),
    event: 'subscribed' as const,
    door: 'whatsapp' as const,
    delivery_channel: 'whatsapp' as const,
    evidence_text: 'ISCRIVIMI',
    evidence_form: null,
    language: 'it',
    policy_version: 'sha256:abc',
    inbound_message_id: `whatsapp-cloud:wamid.${seq}`,
    confirmation_message_id: null,
    actor: 'citizen',
    reason: null,
    occurred_at: new Date('2026-03-10T09:30:00.123Z'),
    recorded_at: new Date('2026-03-10T09:30:00.200Z'),
    redacted_at: null,
    redaction: null,
    chain_seq: seq,
    prev_hash: prev,
    webhook_body_sha256: 'a'.repeat(64),
    webhook_signature: `sha256=${'b'.repeat(64)}`,
    ...overrides,
  }
  const evidence_digest = overrides.evidence_digest ?? evidenceDigest(hashPhone, base.tenant, base.evidence_text, base.evidence_form)
  return { ...base, evidence_digest, hash: consentRecordHash({ ...base, evidence_digest, chain_seq: seq, prev_hash: prev }) }
}

function chain(length: number): ConsentRecord[] {
  const rows: ConsentRecord[] = []
  for (let seq = 1; seq <= length; seq++) rows.push(record(seq, rows.at(-1)?.hash ?? GENESIS_HASH))
  return rows
}

const walk = (rows: ConsentRecord[]) => {
  const w = new ChainWalk(hashPhone, 'ancona')
  for (const row of rows) {
    const broken = w.next(row)
    if (broken) return broken
  }
  return w.end({ seq: rows.length, hash: w.lastHash })
}

describe('the consent chain', () => {
  it('verifies an untouched chain, and one whose number and evidence were cleared', () => {
    const rows = chain(3)
    expect(walk(rows)).toBeNull()
    expect(walk(rows.map((r) => ({ ...r, phone: null, evidence_text: null, redaction: 'erasure' as const, redacted_at: new Date() })))).toBeNull()
  })

  it('digests a form the same whether written as JSON text or read back as a value, whatever its key order', () => {
    const written = evidenceDigest(hashPhone, 'magenta', null, JSON.stringify({ b: 1, a: { d: [1, 2], c: 'x' } }))
    expect(evidenceDigest(hashPhone, 'magenta', null, { a: { c: 'x', d: [1, 2] }, b: 1 })).toBe(written)
    expect(evidenceDigest(hashPhone, 'magenta', null, { a: { c: 'y', d: [1, 2] }, b: 1 })).not.toBe(written)
    expect(evidenceDigest(hashPhone, 'magenta', null, null)).toBeNull()
  })

  it('names the first broken link: an edited field, edited evidence, a missing record, a dropped tail', () => {
    const rows = chain(4)
    expect(walk(rows.map((r, i) => (i === 1 ? { ...r, policy_version: 'sha256:forged' } : r)))).toEqual({ id: 20, chainSeq: 2, reason: 'hash-mismatch' })
    expect(walk(rows.map((r, i) => (i === 2 ? { ...r, evidence_text: 'ISCRIVIMI A TUTTO' } : r)))).toEqual({ id: 30, chainSeq: 3, reason: 'evidence-mismatch' })
    expect(walk(rows.filter((_, i) => i !== 1))).toEqual({ id: 30, chainSeq: 3, reason: 'sequence-gap' })
    // A record re-hashed after an edit still breaks the next link.
    const forged = record(2, rows[0]!.hash!, { reason: 'forged' })
    expect(walk([rows[0]!, forged, ...rows.slice(2)])).toEqual({ id: 30, chainSeq: 3, reason: 'prev-hash-mismatch' })
    const w = new ChainWalk(hashPhone, 'ancona')
    for (const row of rows.slice(0, 3)) expect(w.next(row)).toBeNull()
    expect(w.end({ seq: 4, hash: rows[3]!.hash! })).toEqual({ id: null, chainSeq: 4, reason: 'head-mismatch' })
  })
})
