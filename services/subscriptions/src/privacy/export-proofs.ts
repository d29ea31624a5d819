import { ConsentReceiptProofContract } from '@banditore/contracts'
import { verifyReceiptProof } from './consent-merkle.js'

/** One consent record of an export, checked offline. */
export interface ExportedReceiptCheck {
  chainSeq: number | null
  event: string | null
  /** The record's day (from its proof), or null without a proof. */
  day: string | null
  /** `ok`: the audit path leads from the record's hash to the day's Merkle root, which the export's day root names too; `no-proof`: the day had not closed (or was rooted before Merkle roots). */
  result: 'ok' | 'fail' | 'no-proof'
  /** Why it failed. */
  reason?: 'malformed-proof' | 'path-mismatch' | 'root-mismatch' | 'root-not-registered'
  merkleRoot: string | null
}

const text = (value: unknown) => (typeof value === 'string' ? value : null)

/**
 * Checks every receipt proof of a privacy export (version 3) without the ledger: each record's
 * `hash` must lead through `proof.auditPath` to `proof.merkleRoot`, and that root must be the
 * `merkleRoot` of the export's day root for `proof.day` (and, when `registered` is given, one of
 * the roots the municipality published). Throws TypeError when the file is not such an export.
 */
export function checkExportProofs(exported: unknown, registered?: ReadonlySet<string>): ExportedReceiptCheck[] {
  const data = exported as { version?: unknown; consentLedger?: unknown; consentChainRoots?: unknown } | null
  if (!data || typeof data !== 'object' || data.version !== 3 || !Array.isArray(data.consentLedger) || !Array.isArray(data.consentChainRoots)) {
    throw new TypeError('not a privacy export of version 3 (consentLedger and consentChainRoots)')
  }
  const dayRoots = new Map<string, string | null>()
  for (const root of data.consentChainRoots as { day?: unknown; merkleRoot?: unknown }[]) {
    const day = text(root.day)
    if (day) dayRoots.set(day, text(root.merkleRoot))
  }
  return (data.consentLedger as Record<string, unknown>[]).map((record): ExportedReceiptCheck => {
    const base = { chainSeq: record.chain_seq === null || record.chain_seq === undefined ? null : Number(record.chain_seq), event: text(record.event) }
    if (record.proof === null || record.proof === undefined) return { ...base, day: null, result: 'no-proof', merkleRoot: null }
    if (!ConsentReceiptProofContract.is(record.proof)) return { ...base, day: null, result: 'fail', reason: 'malformed-proof', merkleRoot: null }
    const proof = record.proof
    const failed = (reason: NonNullable<ExportedReceiptCheck['reason']>): ExportedReceiptCheck => ({ ...base, day: proof.day, result: 'fail', reason, merkleRoot: proof.merkleRoot })
    if (!verifyReceiptProof(text(record.hash) ?? '', proof)) return failed('path-mismatch')
    if (dayRoots.get(proof.day) !== proof.merkleRoot) return failed('root-mismatch')
    if (registered && !registered.has(proof.merkleRoot)) return failed('root-not-registered')
    return { ...base, day: proof.day, result: 'ok', merkleRoot: proof.merkleRoot }
  })
}
