// pnpm --filter @banditore/subscriptions import --tenant <id> --file <csv> [--start] [--mode confirmation|imported-consent --source … --date YYYY-MM-DD --reference …]
//
// Imports an existing list through the staff API (the same code, checks, audit and rate limit as
// the console): uploads the file, prints the preview (rows with problems, counts per channel and
// topic) and, with --start, runs the import and follows its progress. The same file imported
// twice is recognised and changes nothing. SUBSCRIPTIONS_URL (default http://127.0.0.1:3003) and
// BANDITORE_TOKEN (an API token `bnd_…` or a person's access token) say where and who.
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { parseArgs } from 'node:util'
import type { ImportView } from '@banditore/contracts'

const { values } = parseArgs({
  options: {
    tenant: { type: 'string' },
    file: { type: 'string' },
    start: { type: 'boolean', default: false },
    mode: { type: 'string', default: 'confirmation' },
    source: { type: 'string' },
    date: { type: 'string' },
    reference: { type: 'string' },
    url: { type: 'string', default: process.env.SUBSCRIPTIONS_URL ?? 'http://127.0.0.1:3003' },
  },
})

function fail(message: string): never {
  process.stderr.write(`${message}\n`)
  process.exit(2)
}

const token = process.env.BANDITORE_TOKEN
if (!values.tenant || !values.file) fail('uso: import --tenant <id> --file <file.csv> [--start] [--mode confirmation|imported-consent --source … --date AAAA-MM-GG --reference …]')
if (!token) fail('BANDITORE_TOKEN mancante: un token API (bnd_…) o un token di accesso con ruolo desk, privacy-officer o admin del Comune')
if (values.mode !== 'confirmation' && values.mode !== 'imported-consent') fail('--mode: confirmation o imported-consent')

const base = `${values.url.replace(/\/$/, '')}/staff/${values.tenant}/imports`
async function call<T>(method: string, url: string, body?: string | Uint8Array, contentType = 'application/json'): Promise<T> {
  const response = await fetch(url, { method, headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body ? { 'content-type': contentType } : {}) }, ...(body ? { body } : {}) })
  const text = await response.text()
  if (!response.ok) fail(`${method} ${url}: ${response.status} ${text}`)
  return JSON.parse(text) as T
}

const bytes = await readFile(values.file)
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
let view = await call<ImportView>('POST', `${base}?fileName=${encodeURIComponent(basename(values.file))}`, bytes, /\.xlsx$/i.test(values.file) ? XLSX : 'text/csv')
const print = (v: ImportView) => {
  process.stdout.write(`importazione ${v.id} (${v.fileName ?? ''}): ${v.status}${v.alreadyUploaded ? ', file già caricato: nulla cambia' : ''}\n`)
  process.stdout.write(`righe ${v.totalRows}: ${v.validRows} da importare, ${v.errorRows} con problemi ${JSON.stringify(v.errorsByKind)}\n`)
  process.stdout.write(`per canale ${JSON.stringify(v.byChannel)}; per argomento ${JSON.stringify(v.byTopic)}\n`)
  for (const e of v.errors) process.stdout.write(`  riga ${e.line}: ${e.rawPhone || '(vuoto)'} – ${e.error}\n`)
}
print(view)
if (!values.start || view.status !== 'previewed') {
  if (view.status === 'previewed') process.stdout.write('anteprima soltanto: aggiungi --start per importare\n')
  process.exit(0)
}
const evidence = values.mode === 'imported-consent' ? { source: values.source ?? '', date: values.date ?? '', documentReference: values.reference ?? '' } : undefined
view = await call<ImportView>('POST', `${base}/${view.id}/start`, JSON.stringify({ mode: values.mode, ...(evidence ? { evidence } : {}) }))
while (view.status === 'running') {
  process.stdout.write(`  ${view.progress.processedRows}/${view.validRows}\n`)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  view = await call<ImportView>('GET', `${base}/${view.id}`)
}
process.stdout.write(`completata: ${view.progress.subscribed} iscritti, ${view.progress.confirmationsRequested} richieste di conferma, ${view.progress.skipped} saltati\n`)
