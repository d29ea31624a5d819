// pnpm --filter @banditore/subscriptions consent:verify --tenant <id>
//
// Recomputes a tenant's consent chain through the staff API (GET
// /staff/<tenant>/privacy/consent-ledger/verify) and prints the chain's head hash, or the first
// broken link. Exit code 0 when the chain holds, 1 when it is broken, 2 on a usage or call error.
// SUBSCRIPTIONS_URL (default http://127.0.0.1:3003) and BANDITORE_TOKEN (an API token `bnd_…` or a
// person's access token, role privacy-officer or admin) say where and who.
import { parseArgs } from 'node:util'
import type { ConsentChainVerification } from '@banditore/contracts'

const { values } = parseArgs({
  options: {
    tenant: { type: 'string' },
    url: { type: 'string', default: process.env.SUBSCRIPTIONS_URL ?? 'http://127.0.0.1:3003' },
  },
})

function fail(message: string): never {
  process.stderr.write(`${message}\n`)
  process.exit(2)
}

const token = process.env.BANDITORE_TOKEN
if (!values.tenant) fail('uso: consent:verify --tenant <id>')
if (!token) fail('BANDITORE_TOKEN mancante: un token API (bnd_…) o un token di accesso con ruolo privacy-officer o admin del Comune')

const url = `${values.url.replace(/\/$/, '')}/staff/${encodeURIComponent(values.tenant)}/privacy/consent-ledger/verify`
const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } })
const text = await response.text()
if (!response.ok) fail(`GET ${url}: ${response.status} ${text}`)
const result = JSON.parse(text) as ConsentChainVerification
if (result.valid) {
  process.stdout.write(`catena dei consensi di ${result.tenant} integra: ${result.recordsVerified} registrazioni, ultima impronta ${result.headHash}\n`)
  process.exit(0)
}
const link = result.firstBrokenLink
process.stdout.write(
  `catena dei consensi di ${result.tenant} INTERROTTA dopo ${result.recordsVerified} registrazioni: ` +
    `${link?.id === null || link?.id === undefined ? 'la testa della catena' : `riga ${link.id}`} (posizione ${link?.chainSeq ?? '?'}, ${link?.reason ?? '?'})\n`,
)
process.exit(1)
