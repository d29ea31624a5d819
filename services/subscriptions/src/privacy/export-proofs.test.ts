import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { dayMerkleRoot, receiptProof } from './consent-merkle.js'
import { checkExportProofs } from './export-proofs.js'

const hashes = Array.from({ length: 6 }, (_, i) => `sha256:${createHash('sha256').update(`r${i}`).digest('hex')}`)
const root = dayMerkleRoot(hashes)

/** An export as the service writes it (only the fields the check reads, plus a few). */
const exported = () => ({
  version: 3,
  tenant: 'ancona',
  consentLedger: [
    { id: 1, chain_seq: 2, event: 'subscribed', hash: hashes[1], proof: receiptProof('2026-03-10', hashes, 1, root) },
    { id: 2, chain_seq: 5, event: 'unsubscribed', hash: hashes[4], proof: receiptProof('2026-03-10', hashes, 4, root) },
    { id: 3, chain_seq: 9, event: 'subscribed', hash: hashes[0], proof: null },
  ],
  consentChainRoots: [{ day: '2026-03-10', headSeq: 6, headHash: hashes[5], records: 6, merkleRoot: root }],
})

describe("checking a privacy export's receipt proofs offline", () => {
  it('passes every proof that leads to the export day root, and says which records have none yet', () => {
    expect(checkExportProofs(exported(), new Set([root]))).toEqual([
      { chainSeq: 2, event: 'subscribed', day: '2026-03-10', result: 'ok', merkleRoot: root },
      { chainSeq: 5, event: 'unsubscribed', day: '2026-03-10', result: 'ok', merkleRoot: root },
      { chainSeq: 9, event: 'subscribed', day: null, result: 'no-proof', merkleRoot: null },
    ])
  })

  it('fails an edited record, a proof that ends elsewhere than the day root, a root not registered, a malformed proof', () => {
    const edited = exported()
    edited.consentLedger[0]!.hash = hashes[2]
    expect(checkExportProofs(edited)[0]).toMatchObject({ result: 'fail', reason: 'path-mismatch' })

    const otherRoot = exported()
    otherRoot.consentChainRoots[0]!.merkleRoot = dayMerkleRoot(hashes.slice(0, 5))
    expect(checkExportProofs(otherRoot)[0]).toMatchObject({ result: 'fail', reason: 'root-mismatch' })

    expect(checkExportProofs(exported(), new Set(['0'.repeat(64)]))[1]).toMatchObject({ result: 'fail', reason: 'root-not-registered' })

    const malformed = exported() as { consentLedger: Record<string, unknown>[] }
    malformed.consentLedger[1]!.proof = { day: '2026-03-10', leafIndex: 4 }
    expect(checkExportProofs(malformed)[1]).toMatchObject({ result: 'fail', reason: 'malformed-proof' })
  })

  it('refuses what is not a version 3 export', () => {
    expect(() => checkExportProofs({ ...exported(), version: 2 })).toThrow(TypeError)
    expect(() => checkExportProofs(null)).toThrow(TypeError)
    expect(() => checkExportProofs([])).toThrow(TypeError)
  })
})
