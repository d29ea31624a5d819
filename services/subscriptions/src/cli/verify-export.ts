// pnpm --filter @banditore/subscriptions consent:verify-export < export.json [--root <hex> ...]
//
// Checks, offline, the consent receipts of a citizen's privacy export (version 3; the file the
// console's download or POST /staff/<tenant>/privacy/export gives): for each consent record, its
// RFC 6962 audit path (`proof`) must lead from the record's hash to the day's Merkle root, and
// that root must be the one the export's day roots name. With --root (repeatable), the roots the
// municipality registered in its protocol (GET /staff/<tenant>/privacy/consent-ledger/roots,
// `merkleRoot`), every proof must also end in one of them. The export file may also be named as
// an argument instead of stdin. Prints one line per record; exit code 0 when every proof holds,
// 1 when one fails, 2 on a usage or reading error. No network, no token.
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { checkExportProofs } from '../privacy/export-proofs.js'

const { values, positionals } = parseArgs({ options: { root: { type: 'string', multiple: true } }, allowPositionals: true })

function fail(message: string): never {
  process.stderr.write(`${message}\n`)
  process.exit(2)
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

// pnpm runs the script in the package's folder; a relative path is the caller's.
const file = positionals[0]
if (!file && process.stdin.isTTY) fail('uso: consent:verify-export < export.json  (oppure: consent:verify-export export.json) [--root <hex>]')
let exported: unknown
try {
  exported = JSON.parse(file ? await readFile(resolve(process.env.INIT_CWD ?? process.cwd(), file), 'utf8') : await readStdin())
} catch (error) {
  fail(`export illeggibile: ${error instanceof Error ? error.message : String(error)}`)
}

const registered = values.root?.length ? new Set(values.root.map((r) => r.toLowerCase())) : undefined
let checks
try {
  checks = checkExportProofs(exported, registered)
} catch (error) {
  fail(error instanceof Error ? error.message : String(error))
}

const REASONS = {
  'malformed-proof': 'prova malformata',
  'path-mismatch': "il percorso non porta dall'impronta della registrazione alla radice del giorno",
  'root-mismatch': "la radice della prova non è quella del giorno nell'export",
  'root-not-registered': 'la radice non è tra quelle indicate con --root',
} as const
for (const check of checks) {
  const what = `registrazione ${check.chainSeq ?? '?'} (${check.event ?? '?'}${check.day ? `, ${check.day}` : ''})`
  if (check.result === 'ok') process.stdout.write(`ok    ${what}: radice ${check.merkleRoot}\n`)
  else if (check.result === 'no-proof') process.stdout.write(`--    ${what}: senza prova (giorno non ancora chiuso o radice precedente alle prove)\n`)
  else process.stdout.write(`FAIL  ${what}: ${REASONS[check.reason ?? 'malformed-proof']}\n`)
}
const failed = checks.filter((c) => c.result === 'fail').length
const ok = checks.filter((c) => c.result === 'ok').length
process.stdout.write(`${ok} verificate, ${failed} fallite, ${checks.length - ok - failed} senza prova\n`)
process.exit(failed > 0 ? 1 : 0)
