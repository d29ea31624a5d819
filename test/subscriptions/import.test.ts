import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { ImportView } from '@banditore/contracts'
import writeXlsxFile from 'write-excel-file/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../harness/index.js'
import { STAFF_TOKEN, SubscriptionsFixture } from './subscriptions-fixture.js'

// Import of an existing list (Corbetta's paper forms and WhatsApp broadcast list): a preview that
// names the bad rows, then a confirmation request (double opt-in) to exactly the good rows, once,
// even when the same file is imported twice; or the municipality's documented consent recorded as
// an imported consent, never a keyword one.
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

describe('import of existing lists', () => {
  let fx: SubscriptionsFixture
  const subscribed = Array.from({ length: 10 }, (_, i) => `+39348100${String(i).padStart(4, '0')}`)
  const blocked = Array.from({ length: 5 }, (_, i) => `+39348200${String(i).padStart(4, '0')}`)
  const good = Array.from({ length: 1950 }, (_, i) => `+39347300${String(i).padStart(4, '0')}`)

  const upload = async (csv: string | Buffer, fileName = 'lista.csv') => {
    const response = await fx.service.app.inject({
      method: 'POST',
      url: `/staff/corbetta/imports?fileName=${encodeURIComponent(fileName)}`,
      payload: typeof csv === 'string' ? Buffer.from(csv, 'utf8') : csv,
      headers: { authorization: `Bearer ${STAFF_TOKEN}`, 'content-type': typeof csv === 'string' ? 'text/csv' : XLSX },
    })
    return { status: response.statusCode, view: response.json() as ImportView }
  }
  const view = async (id: string) => (await fx.staff('GET', `/staff/corbetta/imports/${id}`)).json() as ImportView
  const completed = async (id: string) => {
    await waitUntil(async () => (await view(id)).status === 'completed', { timeoutMs: 120_000, intervalMs: 200, what: `import ${id} completed` })
    await fx.settle('corbetta')
    return await view(id)
  }

  // 2,000 rows: 1,950 good, 20 invalid numbers, 15 duplicates, 10 already subscribed, 5 blocked.
  const lines = ['Telefono;Nome;Argomenti']
  good.forEach((phone, i) => lines.push(`${i % 2 ? phone : `${phone.slice(3, 6)} ${phone.slice(6)}`};Cittadino ${i};${i % 3 ? 'eventi' : ''}`))
  for (let i = 0; i < 20; i++) lines.splice(100 * i + 5, 0, `12${i};Numero sbagliato ${i};`)
  for (let i = 0; i < 15; i++) lines.push(`+39 ${good[i]!.slice(3)};Doppione ${i};`)
  subscribed.forEach((phone) => lines.push(`${phone};Già iscritto;`))
  blocked.forEach((phone) => lines.push(`${phone};Bloccato;`))
  const csv = `${lines.join('\r\n')}\r\n`

  beforeAll(async () => {
    fx = await SubscriptionsFixture.start('2026-03-10T09:30:00Z')
    for (const phone of subscribed) await fx.send('corbetta', { from: phone, channel: 'sms', text: 'ADD WA' })
    for (const phone of blocked) expect((await fx.staff('POST', '/staff/corbetta/blocks', { phone, reason: 'abuso del servizio' })).statusCode).toBe(200)
    await fx.settle('corbetta')
    await fx.newReplies()
  }, 120_000)
  afterAll(async () => {
    await fx?.close()
  })

  let importId: string

  it('previews 2,000 rows: the 50 bad ones by kind and line, the counts per channel and topic', async () => {
    expect(lines).toHaveLength(2001)
    const { status, view: preview } = await upload(csv)
    expect(status).toBe(201)
    importId = preview.id
    expect(preview).toMatchObject({ status: 'previewed', totalRows: 2000, validRows: 1950, errorRows: 50, columns: ['Telefono', 'Nome', 'Argomenti'] })
    expect(preview.errorsByKind).toEqual({ 'invalid-number': 20, duplicate: 15, 'already-subscribed': 10, blocked: 5 })
    expect(preview.errors).toHaveLength(50)
    expect(preview.errors[0]).toMatchObject({ line: 6, rawPhone: '120', error: 'invalid-number' })
    expect(preview.errors.filter((e) => e.error === 'duplicate').map((e) => e.phone)).toEqual(good.slice(0, 15))
    expect(preview.byChannel).toEqual({ whatsapp: 1950 })
    expect(preview.byTopic.emergenze).toBe(1950)
    expect(preview.byTopic.eventi).toBe(1950)
    expect(preview.byTopic['info-comune']).toBe(650)
    // Nothing happens before the import is started.
    expect(await fx.db.selectFrom('pending_confirmation').selectAll().execute()).toEqual([])
  })

  it('requests confirmation from exactly the good rows, through the outbox, in batches with progress', async () => {
    const started = await fx.staff('POST', `/staff/corbetta/imports/${importId}/start`, { mode: 'confirmation' })
    expect(started.statusCode).toBe(202)
    const done = await completed(importId)
    expect(done.progress).toEqual({ processedRows: 1950, subscribed: 0, confirmationsRequested: 1950, skipped: 0 })
    const replies = (await fx.newReplies()).filter((r) => r.id.startsWith(`import:${importId}:`))
    expect(replies).toHaveLength(1950)
    expect(new Set(replies.map((r) => r.to))).toEqual(new Set(good))
    expect(replies.every((r) => r.channel === 'sms' && r.id.endsWith(':confirmation-request'))).toBe(true)
    const pending = await fx.db.selectFrom('pending_confirmation').select(['phone', 'door']).execute()
    expect(pending).toHaveLength(1950)
    expect(pending.every((p) => p.door === 'import')).toBe(true)
    const ledger = await fx.ledger('corbetta', good[1]!)
    expect(ledger).toEqual([expect.objectContaining({ event: 'signup-requested', door: 'import' })])
    expect(ledger[0]!.evidence_form).toMatchObject({ kind: 'import', importId, fileName: 'lista.csv', line: expect.any(Number) })

    // A citizen who answers is subscribed, with the import as the door and their answer as the consent.
    await fx.send('corbetta', { from: good[1]!, channel: 'sms', text: 'SI' })
    expect(await fx.subscriber('corbetta', good[1]!)).toMatchObject({ status: 'active', name: 'Cittadino 1' })
    expect((await fx.ledger('corbetta', good[1]!)).map((r) => `${r.event}:${r.door}`)).toEqual(['signup-requested:import', 'subscribed:import'])
    await fx.newReplies()
  }, 180_000)

  it('imports the same file twice without changing anything', async () => {
    const { status, view: again } = await upload(csv, 'lista-copia.csv')
    expect(status).toBe(200)
    expect(again).toMatchObject({ id: importId, alreadyUploaded: true, status: 'completed', fileName: 'lista.csv' })
    expect((await fx.staff('POST', `/staff/corbetta/imports/${importId}/start`, { mode: 'confirmation' })).statusCode).toBe(202)
    expect((await fx.staff('POST', `/staff/corbetta/imports/${importId}/start`, { mode: 'imported-consent', evidence: { source: 'x', date: '2025-01-01', documentReference: 'y' } })).statusCode).toBe(400)
    await fx.settle('corbetta')
    expect(await fx.newReplies()).toEqual([])
    expect((await view(importId)).progress.confirmationsRequested).toBe(1950)
    expect(await fx.db.selectFrom('pending_confirmation').selectAll().execute()).toHaveLength(1950)
    const audit = await fx.db.selectFrom('staff_audit').select(['action', 'actor']).where('action', 'like', 'import-%').orderBy('id').execute()
    expect(audit).toEqual([
      { action: 'import-previewed', actor: 'token:urp' },
      { action: 'import-started', actor: 'token:urp' },
      { action: 'import-completed', actor: 'token:urp' },
    ])
  })

  it('records the consent the municipality documented as an imported consent, sending nothing', async () => {
    const paper = ['+393473990001', '+393473990002']
    const { view: preview } = await upload(`numero,nominativo,canale\n${paper[0]},Anna Neri,whatsapp\n${paper[1]},Luca Blu,WA\n`, 'moduli-2024.csv')
    expect(preview.validRows).toBe(2)
    const evidence = { source: 'Moduli cartacei URP 2024', date: '2024-11-30', documentReference: 'Prot. 2024/1234' }
    expect((await fx.staff('POST', `/staff/corbetta/imports/${preview.id}/start`, { mode: 'imported-consent' })).statusCode).toBe(400)
    expect((await fx.staff('POST', `/staff/corbetta/imports/${preview.id}/start`, { mode: 'imported-consent', evidence })).statusCode).toBe(202)
    expect((await completed(preview.id)).progress).toMatchObject({ subscribed: 2, confirmationsRequested: 0 })
    expect(await fx.newReplies()).toEqual([])
    expect(await fx.subscriber('corbetta', paper[0]!)).toMatchObject({ status: 'active', name: 'Anna Neri', channel: 'whatsapp' })
    const [record] = await fx.ledger('corbetta', paper[0]!)
    expect(record).toMatchObject({ event: 'consent-imported', door: 'import', evidence_text: null, policy_version: null, actor: 'token:urp' })
    expect(record!.evidence_form).toMatchObject({ kind: 'imported-consent', ...evidence, importId: preview.id, line: 2 })
    expect((await fx.newChanges()).filter((c) => paper.includes(c.phone)).map((c) => c.change)).toEqual(['subscribed', 'subscribed'])
  })

  it('reads an Excel workbook as staff keep one: numbers typed as numbers, dates, blank rows, several sheets', async () => {
    const workbook = await writeXlsxFile([
      {
        sheet: 'Iscritti',
        data: [
          ['Cellulare', 'Nome', 'Cognome', 'Data modulo', 'Argomenti'],
          // A number column, as Excel stores a number typed without a leading +.
          [393474100001, 'Marta', 'Rossi', { value: new Date('2024-05-02T00:00:00Z'), format: 'dd/mm/yyyy' }, 'eventi'],
          ['347 410 0002', 'Piero', 'Bianchi', null, null],
          [null, null, null, null, null],
          [3474100003, 'Elsa', 'Verdi', null, 'argomento inventato'],
          ['ciao', 'Numero', 'Sbagliato', null, null],
        ],
      },
      // Only the first sheet is read.
      { sheet: 'Note', data: [['Cellulare'], [393474100099]] },
    ]).toBuffer()
    const { status, view: preview } = await upload(workbook, 'iscritti.xlsx')
    expect(status).toBe(201)
    expect(preview).toMatchObject({ totalRows: 4, validRows: 2, errorRows: 2, columns: ['Cellulare', 'Nome', 'Cognome', 'Data modulo', 'Argomenti'] })
    expect(preview.errors.map((e) => [e.line, e.rawPhone, e.error])).toEqual([
      [5, '3474100003', 'unknown-topic'],
      [6, 'ciao', 'invalid-number'],
    ])
    expect((await fx.staff('POST', `/staff/corbetta/imports/${preview.id}/start`, { mode: 'confirmation' })).statusCode).toBe(202)
    await completed(preview.id)
    expect((await fx.newReplies()).map((r) => r.to).sort()).toEqual(['+393474100001', '+393474100002'])
    // Asked, not yet subscribed: with the name the workbook gives.
    expect(await fx.subscriber('corbetta', '+393474100001')).not.toMatchObject({ status: 'active' })
    const [asked] = await fx.ledger('corbetta', '+393474100001')
    expect(asked).toMatchObject({ event: 'signup-requested', door: 'import' })
    expect(asked!.evidence_form).toMatchObject({ kind: 'import', fileName: 'iscritti.xlsx', line: 2 })

    // A file that says it is a workbook and is not one: a clear refusal, nothing stored.
    const broken = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('non è un foglio di calcolo')])
    const refused = await upload(broken, 'rotto.xlsx')
    expect(refused.status).toBe(400)
    expect(refused.view).toMatchObject({ code: 'INVALID_FILE', detail: expect.stringContaining('Il file Excel non si legge') })
  })

  it('imports through the CLI: the same file is recognised, a new one is previewed and run', async () => {
    // The fixture's service listens on a free port already (or is made to).
    const bound = fx.service.app.server.address()
    const address = bound && typeof bound === 'object' ? `http://127.0.0.1:${bound.port}` : await fx.service.app.listen({ port: 0, host: '127.0.0.1' })
    const dir = await mkdtemp(join(tmpdir(), 'banditore-import-'))
    const cli = fileURLToPath(new URL('../../services/subscriptions/src/cli/import.ts', import.meta.url))
    const run = async (...args: string[]) =>
      await promisify(execFile)(process.execPath, ['--conditions=@banditore/source', '--import', 'tsx', cli, '--tenant', 'corbetta', '--url', address, ...args], {
        env: { ...process.env, BANDITORE_TOKEN: STAFF_TOKEN },
      })
    await writeFile(join(dir, 'lista.csv'), csv)
    expect((await run('--file', join(dir, 'lista.csv'), '--start')).stdout).toContain('file già caricato: nulla cambia')
    await writeFile(join(dir, 'nuova.csv'), 'telefono\n+393473880001\n+393473880002\n')
    const fresh = await run('--file', join(dir, 'nuova.csv'), '--start')
    expect(fresh.stdout).toContain('righe 2: 2 da importare, 0 con problemi')
    expect(fresh.stdout).toContain('completata: 0 iscritti, 2 richieste di conferma, 0 saltati')
    await fx.settle('corbetta')
    expect((await fx.newReplies()).map((r) => r.to).sort()).toEqual(['+393473880001', '+393473880002'])
  }, 60_000)
})
