import { createHash } from 'node:crypto'
import type { ConsentReceiptProof } from '@banditore/contracts'

/**
 * A day's consent records as a Merkle tree, so a citizen can prove one receipt is in the day's
 * root with a handful of hashes instead of the whole ledger.
 *
 * This is exactly the Merkle Tree Hash and audit path of RFC 6962 (Certificate Transparency)
 * section 2.1 with SHA-256, the same as RFC 9162 section 2.1.1: leaf = SHA-256(0x00 || data),
 * node = SHA-256(0x01 || left || right), and a tree of n > 1 leaves splits at k, the largest
 * power of two smaller than n (no leaf is duplicated, so no second tree gives the same root).
 * Verification is RFC 9162 section 2.1.3.2. Any RFC 6962 tool checks our proofs; the unit tests
 * include the test vectors of transparency-dev/merkle (Certificate Transparency's Go library).
 *
 * The leaves are the day's consent records in `chain_seq` order; a leaf's data is the 32 bytes
 * of the record's hash (`sha256:<hex>` without the prefix). Hashes travel as lowercase hex.
 */

const sha256 = (...parts: Uint8Array[]) => {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part)
  return hash.digest()
}
const LEAF = Uint8Array.of(0x00)
const NODE = Uint8Array.of(0x01)

export const leafHash = (data: Uint8Array): Buffer => sha256(LEAF, data)
const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => sha256(NODE, left, right)

/** The largest power of two smaller than n (n > 1). */
function split(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** MTH(D[n]) over leaf data; the empty tree's hash is SHA-256 of nothing. */
export function merkleTreeHash(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return sha256()
  if (leaves.length === 1) return leafHash(leaves[0]!)
  const k = split(leaves.length)
  return nodeHash(merkleTreeHash(leaves.slice(0, k)), merkleTreeHash(leaves.slice(k)))
}

/** PATH(m, D[n]): the audit path of leaf m, nearest sibling first. */
export function auditPath(leaves: readonly Uint8Array[], m: number): Buffer[] {
  if (!Number.isInteger(m) || m < 0 || m >= leaves.length) throw new RangeError(`leaf ${m} outside a tree of ${leaves.length}`)
  if (leaves.length === 1) return []
  const k = split(leaves.length)
  return m < k
    ? [...auditPath(leaves.slice(0, k), m), merkleTreeHash(leaves.slice(k))]
    : [...auditPath(leaves.slice(k), m - k), merkleTreeHash(leaves.slice(0, k))]
}

/** The root an audit path leads to from a leaf hash (RFC 9162 2.1.3.2), or null when the path cannot belong to that position. */
export function rootFromAuditPath(leafIndex: number, treeSize: number, leaf: Uint8Array, path: readonly Uint8Array[]): Buffer | null {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize) || leafIndex < 0 || leafIndex >= treeSize) return null
  // Indices as bigint: the shifts must not wrap at 32 bits.
  let fn = BigInt(leafIndex)
  let sn = BigInt(treeSize - 1)
  let r: Buffer = Buffer.from(leaf)
  for (const p of path) {
    if (p.length !== 32 || sn === 0n) return null
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r)
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n
        sn >>= 1n
      }
    } else {
      r = nodeHash(r, p)
    }
    fn >>= 1n
    sn >>= 1n
  }
  return sn === 0n ? r : null
}

const HEX = /^[0-9a-f]{64}$/

/** A consent record's hash (`sha256:<hex>`) as the leaf's 32 bytes. */
export function recordHashBytes(recordHash: string): Buffer {
  const hex = recordHash.startsWith('sha256:') ? recordHash.slice('sha256:'.length) : ''
  if (!HEX.test(hex)) throw new TypeError(`not a consent record hash: ${recordHash}`)
  return Buffer.from(hex, 'hex')
}

/** The Merkle root (hex) of a day's records, given their hashes in chain order. */
export function dayMerkleRoot(recordHashes: readonly string[]): string {
  return merkleTreeHash(recordHashes.map(recordHashBytes)).toString('hex')
}

/** The inclusion proof of the record at `leafIndex` among the day's record hashes (chain order). */
export function receiptProof(day: string, recordHashes: readonly string[], leafIndex: number, merkleRoot: string): ConsentReceiptProof {
  const path = auditPath(recordHashes.map(recordHashBytes), leafIndex)
  return { day, leafIndex, treeSize: recordHashes.length, auditPath: path.map((h) => h.toString('hex')), merkleRoot }
}

/**
 * True when `proof` shows the record with this hash in the day's tree whose root is
 * `proof.merkleRoot`. Pure and offline: the caller still compares `merkleRoot` with the root the
 * municipality registered for `proof.day`. Malformed input is false, never an exception.
 */
export function verifyReceiptProof(recordHash: string, proof: ConsentReceiptProof): boolean {
  if (!HEX.test(proof.merkleRoot) || !proof.auditPath.every((h) => HEX.test(h))) return false
  let leaf: Buffer
  try {
    leaf = leafHash(recordHashBytes(recordHash))
  } catch {
    return false
  }
  const root = rootFromAuditPath(proof.leafIndex, proof.treeSize, leaf, proof.auditPath.map((h) => Buffer.from(h, 'hex')))
  return root !== null && root.toString('hex') === proof.merkleRoot
}
