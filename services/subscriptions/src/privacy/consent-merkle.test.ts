import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { auditPath, dayMerkleRoot, leafHash, merkleTreeHash, receiptProof, recordHashBytes, rootFromAuditPath, verifyReceiptProof } from './consent-merkle.js'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const bytes = (h: string) => Buffer.from(h, 'hex')

// RFC 6962 test vectors as Certificate Transparency's Go library publishes them
// (transparency-dev/merkle, testonly/constants.go and proof/verify_test.go).
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(bytes)
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', // the empty tree
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
]
/** Leaf index (0-based), tree size, audit path. */
const PATHS: [number, number, string[]][] = [
  [0, 1, []],
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
]

const recordHash = (i: number) => `sha256:${createHash('sha256').update(`record ${i}`).digest('hex')}`
const flip = (h: string) => `${h.slice(0, -1)}${h.endsWith('0') ? '1' : '0'}`

describe('RFC 6962 Merkle Tree Hash and audit paths', () => {
  it('gives the published root of every prefix of the test leaves, the empty tree included', () => {
    for (let n = 0; n <= LEAVES.length; n++) expect(hex(merkleTreeHash(LEAVES.slice(0, n)))).toBe(ROOTS[n])
  })

  it('gives the published audit paths, and they lead to the published roots', () => {
    for (const [m, n, path] of PATHS) {
      const tree = LEAVES.slice(0, n)
      expect(auditPath(tree, m).map(hex)).toEqual(path)
      expect(hex(rootFromAuditPath(m, n, leafHash(LEAVES[m]!), path.map(bytes))!)).toBe(ROOTS[n])
    }
  })

  it('separates leaves from nodes: a leaf is SHA-256(0x00 || data), so a node cannot pass for one', () => {
    expect(hex(leafHash(new Uint8Array()))).toBe(ROOTS[1])
    const two = merkleTreeHash(LEAVES.slice(0, 2))
    // The two-leaf root offered as a single leaf's data does not give the same root.
    expect(hex(merkleTreeHash([two]))).not.toBe(hex(two))
  })

  it('refuses to build a path for a leaf outside the tree', () => {
    expect(() => auditPath(LEAVES.slice(0, 3), 3)).toThrow(RangeError)
    expect(() => auditPath([], 0)).toThrow(RangeError)
  })
})

describe('consent receipt proofs', () => {
  for (let n = 1; n <= 17; n++) {
    it(`proves every receipt of a day of ${n} records, and nothing tampered`, () => {
      const hashes = Array.from({ length: n }, (_, i) => recordHash(i + n * 100))
      const root = dayMerkleRoot(hashes)
      // The root is RFC 6962's MTH over the records' 32-byte hashes.
      expect(root).toBe(hex(merkleTreeHash(hashes.map(recordHashBytes))))
      for (let m = 0; m < n; m++) {
        const proof = receiptProof('2026-03-10', hashes, m, root)
        expect(proof).toMatchObject({ day: '2026-03-10', leafIndex: m, treeSize: n, merkleRoot: root })
        expect(proof.auditPath.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)))
        expect(verifyReceiptProof(hashes[m]!, proof)).toBe(true)

        // Another record, an edited record, another root: each fails.
        if (n > 1) expect(verifyReceiptProof(hashes[(m + 1) % n]!, proof)).toBe(false)
        expect(verifyReceiptProof(flip(hashes[m]!), proof)).toBe(false)
        expect(verifyReceiptProof(hashes[m]!, { ...proof, merkleRoot: flip(root) })).toBe(false)
        // A wrong position or size, a path with a step edited, missing, added or reordered.
        if (n > 1) expect(verifyReceiptProof(hashes[m]!, { ...proof, leafIndex: (m + 1) % n })).toBe(false)
        expect(verifyReceiptProof(hashes[m]!, { ...proof, leafIndex: n })).toBe(false)
        expect(verifyReceiptProof(hashes[m]!, { ...proof, treeSize: n * 2 + 1 })).toBe(false)
        for (let i = 0; i < proof.auditPath.length; i++) {
          expect(verifyReceiptProof(hashes[m]!, { ...proof, auditPath: proof.auditPath.map((h, j) => (j === i ? flip(h) : h)) })).toBe(false)
        }
        if (proof.auditPath.length > 0) expect(verifyReceiptProof(hashes[m]!, { ...proof, auditPath: proof.auditPath.slice(1) })).toBe(false)
        if (proof.auditPath.length > 1) expect(verifyReceiptProof(hashes[m]!, { ...proof, auditPath: [...proof.auditPath].reverse() })).toBe(false)
        expect(verifyReceiptProof(hashes[m]!, { ...proof, auditPath: [...proof.auditPath, root] })).toBe(false)
      }
    })
  }

  it('changes the root when any record of the day changes, moves or goes', () => {
    const hashes = Array.from({ length: 5 }, (_, i) => recordHash(i))
    const root = dayMerkleRoot(hashes)
    expect(dayMerkleRoot(hashes.map((h, i) => (i === 2 ? flip(h) : h)))).not.toBe(root)
    expect(dayMerkleRoot([hashes[1]!, hashes[0]!, ...hashes.slice(2)])).not.toBe(root)
    expect(dayMerkleRoot(hashes.slice(0, 4))).not.toBe(root)
    // RFC 6962 promotes an odd node rather than duplicating it: [a, b, c] and [a, b, c, c] differ.
    expect(dayMerkleRoot([...hashes.slice(0, 3), hashes[2]!])).not.toBe(dayMerkleRoot(hashes.slice(0, 3)))
  })

  it('answers false, never throws, on malformed input', () => {
    const hashes = [recordHash(1), recordHash(2)]
    const proof = receiptProof('2026-03-10', hashes, 0, dayMerkleRoot(hashes))
    expect(verifyReceiptProof('sha256:nothex', proof)).toBe(false)
    expect(verifyReceiptProof(hashes[0]!.slice('sha256:'.length), proof)).toBe(false)
    expect(verifyReceiptProof(hashes[0]!, { ...proof, auditPath: ['zz'] })).toBe(false)
    expect(verifyReceiptProof(hashes[0]!, { ...proof, merkleRoot: proof.merkleRoot.toUpperCase() })).toBe(false)
    expect(verifyReceiptProof(hashes[0]!, { ...proof, leafIndex: -1 })).toBe(false)
    expect(verifyReceiptProof(hashes[0]!, { ...proof, leafIndex: 0.5 })).toBe(false)
    expect(() => recordHashBytes('md5:00')).toThrow(TypeError)
  })
})
