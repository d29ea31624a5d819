import { createHash } from 'node:crypto'
import type { ConsentRecord } from '../subscriptions-database.js'
import type { PhoneHasher } from './phone-hash.js'

/**
 * The consent ledger as a hash chain, one per tenant.
 *
 * Each record's `hash` is the SHA-256 of a canonical serialization of the record and of the
 * previous record's hash (`prev_hash`; the first record of a tenant follows GENESIS_HASH), in
 * `chain_seq` order (1, 2, 3... with no gap). Editing, inserting or removing any record breaks
 * its own hash or the next record's link, and the chain head (consent_chain_head) names the
 * last hash, so dropping the newest records shows too.
 *
 * What the hash covers, and why it survives erasure and retention:
 * - the number only as `phone_hash` (the keyed HMAC the ledger keeps after erasure), never the
 *   number itself: erasure clears `phone` and the chain still verifies;
 * - the citizen's exact text and form only as `evidence_digest`, a keyed HMAC of them: retention
 *   and erasure clear the evidence and the chain still verifies, while evidence still present is
 *   checked against its digest. Keyed, so a short text ("ISCRIVIMI") or a form cannot be
 *   confirmed by guessing once the evidence is gone;
 * - the provider's proof: the SHA-256 of the signed webhook body and its signature header;
 * - everything else that makes the record (event, door, policy version, dates, actor, ids).
 * `recorded_at`, `redacted_at` and `redaction` are outside it: the database sets the first, and
 * the others record a redaction the chain must survive.
 */
export const GENESIS_HASH = `sha256:${'0'.repeat(64)}`

/** The serialization's name, first in every serialization: a new one gets a new name. */
const FORMAT = 'banditore-consent-v1'

/** The fields the hash covers, as stored. */
export type ChainedFields = Pick<
  ConsentRecord,
  | 'tenant'
  | 'subscriber_id'
  | 'phone_hash'
  | 'event'
  | 'door'
  | 'delivery_channel'
  | 'language'
  | 'policy_version'
  | 'inbound_message_id'
  | 'confirmation_message_id'
  | 'actor'
  | 'reason'
  | 'evidence_digest'
  | 'webhook_body_sha256'
  | 'webhook_signature'
> & { chain_seq: number; prev_hash: string; occurred_at: Date | string }

/** JSON with object keys sorted at every level: the same value always gives the same text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value ?? null)
}

/**
 * The keyed digest of a record's evidence, or null when it has none. It reuses the tenant's
 * number hasher (HMAC-SHA256 under SUBSCRIBER_HASH_KEY) over a value that cannot be a number
 * (`evidence:` and JSON), so it never collides with a phone hash.
 */
export function evidenceDigest(hashPhone: PhoneHasher, tenant: string, text: string | null | undefined, form: unknown): string | null {
  // Written as JSON text, read back as the value PostgreSQL parsed: both digest the same value.
  const value: unknown = typeof form === 'string' ? JSON.parse(form) : (form ?? null)
  if ((text ?? null) === null && value === null) return null
  return hashPhone(tenant, `evidence:${canonicalJson([text ?? null, value])}`)
}

const iso = (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString()

/** The record's hash: SHA-256 over the serialization, `sha256:<hex>`. */
export function consentRecordHash(record: ChainedFields): string {
  const serialized = JSON.stringify([
    FORMAT,
    record.tenant,
    String(record.chain_seq),
    record.prev_hash,
    record.subscriber_id,
    record.phone_hash,
    record.event,
    record.door,
    record.delivery_channel,
    record.language,
    record.policy_version,
    record.inbound_message_id,
    record.confirmation_message_id,
    record.actor,
    record.reason,
    iso(record.occurred_at),
    record.evidence_digest,
    record.webhook_body_sha256,
    record.webhook_signature,
  ])
  return `sha256:${createHash('sha256').update(serialized, 'utf8').digest('hex')}`
}

/** Why a record breaks the chain. */
export type BrokenLinkReason = 'unchained' | 'sequence-gap' | 'prev-hash-mismatch' | 'hash-mismatch' | 'evidence-mismatch' | 'head-mismatch'

export interface BrokenLink {
  /** The ledger row (`consent_ledger.id`); null when the chain's head is what does not match. */
  id: number | null
  chainSeq: number | null
  reason: BrokenLinkReason
}

/**
 * Walks records in chain order and returns the first broken link, or null. `head` is the
 * chain-head row (null when the tenant has no chain yet).
 */
export class ChainWalk {
  private expectedSeq = 1
  private prevHash = GENESIS_HASH
  count = 0

  constructor(
    private readonly hashPhone: PhoneHasher,
    private readonly tenant: string,
  ) {}

  get lastHash(): string {
    return this.prevHash
  }

  /** Checks the next record; returns why it breaks the chain, or null. */
  next(row: ConsentRecord): BrokenLink | null {
    const seq = row.chain_seq === null ? null : Number(row.chain_seq)
    const at = (reason: BrokenLinkReason): BrokenLink => ({ id: row.id, chainSeq: seq, reason })
    if (seq === null || row.hash === null || row.prev_hash === null) return at('unchained')
    if (seq !== this.expectedSeq) return at('sequence-gap')
    if (row.prev_hash !== this.prevHash) return at('prev-hash-mismatch')
    if (consentRecordHash({ ...row, chain_seq: seq, prev_hash: row.prev_hash }) !== row.hash) return at('hash-mismatch')
    const evidence = evidenceDigest(this.hashPhone, this.tenant, row.evidence_text, row.evidence_form)
    // Evidence still held must be the evidence recorded; cleared evidence leaves only its digest.
    if (evidence !== null && evidence !== row.evidence_digest) return at('evidence-mismatch')
    this.expectedSeq = seq + 1
    this.prevHash = row.hash
    this.count++
    return null
  }

  /** After the last record: the head must name the last hash and sequence. */
  end(head: { seq: number; hash: string } | null): BrokenLink | null {
    const headSeq = head ? Number(head.seq) : 0
    const headHash = head ? head.hash : GENESIS_HASH
    if (headSeq !== this.expectedSeq - 1 || headHash !== this.prevHash) return { id: null, chainSeq: headSeq, reason: 'head-mismatch' }
    return null
  }
}
