import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, startBroadcastStack, type BroadcastStack } from './support/broadcast-stack.js'
import { BORGO } from './support/broadcast-tenant.js'

const draft = {
  title: 'Raccolta rifiuti',
  topics: ['avvisi'],
  sms: { texts: { it: 'Comune di Borgo: la raccolta della carta è spostata a giovedì.' } },
}

/** Parses RFC 4180 text (quoted fields, doubled quotes, CRLF) into records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let field = ''
  let record: string[] = []
  let quoted = false
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i += 1
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      record.push(field)
      field = ''
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field)
      records.push(record)
      record = []
      field = ''
      i += 1
    } else field += c
  }
  if (field !== '' || record.length > 0) throw new Error('the last record has no CRLF')
  return records
}

/**
 * The report of a broadcast's failed sends: the worker pages its send ledger's failed rows over
 * NATS, the staff API turns them into a CSV for the roles allowed to see phone numbers, only for
 * the caller's tenant.
 */
describe('failures report (CSV) of a broadcast', () => {
  let stack: BroadcastStack
  let operator: string
  let approver: string
  let id: string

  const download = async (token: string, broadcastId = id) => {
    const response = await stack.api.inject({ method: 'GET', url: `/v1/broadcasts/${broadcastId}/failures.csv`, headers: { authorization: `Bearer ${token}` } })
    return { status: response.statusCode, headers: response.headers, body: response.body }
  }

  beforeAll(async () => {
    stack = await startBroadcastStack()
    operator = await stack.token('operator', 'carla@borgo.example')
    approver = await stack.token('approver', 'dario@borgo.example')
    const created = await stack.call('POST', '/v1/broadcasts', operator, draft)
    expect(created.status).toBe(201)
    id = created.body.id
    // The worker's ledger as a run leaves it: delivered rows, and failures of every kind. More
    // than one worker page (1000), so the route pages through them.
    const failures = Array.from({ length: 1203 }, (_, i) => ({
      phone: `+39347${String(1_000_000 + i).padStart(7, '0')}`,
      channel: (i % 2 === 0 ? 'whatsapp' : 'sms') as 'whatsapp' | 'sms',
      reason: ['provider:131026', 'invalid-number', 'retries-exhausted: twilio:30003', 'ambiguous-unresolved', 'provider:99,"x"'][i % 5] as string,
    }))
    await stack.workerDb
      .withSchema('worker')
      .insertInto('send_ledger')
      .values([
        ...failures.map((f) => ({ broadcast_id: id, tenant: BORGO.id, subscriber_id: randomUUID(), phone: f.phone, channel: f.channel, language: 'it', state: 'failed' as const, reason: f.reason })),
        { broadcast_id: id, tenant: BORGO.id, subscriber_id: randomUUID(), phone: '+393489999999', channel: 'whatsapp', language: 'it', state: 'delivered' as const },
      ])
      .execute()
  }, 120_000)
  afterAll(async () => {
    await stack?.stop()
  })

  it('gives operators, approvers and admins every failed send, with Italian headers, RFC 4180 quoting and a filename', async () => {
    const answer = await download(approver)
    expect(answer.status).toBe(200)
    expect(answer.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(answer.headers['content-disposition']).toBe(`attachment; filename="non-riusciti-${id}.csv"`)
    expect(answer.headers['cache-control']).toBe('no-store')
    expect(answer.body.startsWith('\uFEFF')).toBe(true)
    const records = parseCsv(answer.body.slice(1))
    expect(records[0]).toEqual(['Numero di telefono', 'Canale', 'Codice motivo', 'Motivo', 'Data e ora (UTC)'])
    const rows = records.slice(1)
    expect(rows.length).toBe(1203)
    expect(new Set(rows.map((r) => r[0])).size).toBe(1203)
    expect(rows.map((r) => r[0])).not.toContain('+393489999999')
    expect(rows[0]).toEqual(['+393471000000', 'WhatsApp', 'provider:131026', expect.stringContaining('non consegnabile'), expect.stringMatching(/^\d{4}-\d\d-\d\dT/)])
    expect(rows[1]?.slice(1, 4)).toEqual(['SMS', 'invalid-number', 'numero non valido'])
    expect(rows[2]?.[3]).toBe('tentativi esauriti (ultimo errore: rifiutato dal fornitore: telefono non raggiungibile (spento o fuori copertura) (codice 30003))')
    // A comma and quotes in a field survive the round trip.
    expect(rows[4]?.[2]).toBe('provider:99,"x"')
    expect(answer.body).toContain('"provider:99,""x"""')

    expect((await download(operator)).status).toBe(200)
    const admin = await stack.token('admin', 'eva@borgo.example')
    expect((await download(admin)).status).toBe(200)
    expect((await download(ADMIN_TOKEN)).status).toBe(200)
  })

  it('refuses the roles that may not see phone numbers, with problem+json in Italian', async () => {
    for (const role of ['civil-protection', 'desk', 'privacy-officer'] as const) {
      const token = await stack.token(role, `${role}@borgo.example`)
      const refused = await download(token)
      expect(refused.status, role).toBe(403)
      expect(refused.headers['content-type']).toContain('application/problem+json')
      expect(JSON.parse(refused.body).detail).toContain('richiede il ruolo')
      expect(refused.body).not.toContain('+39347')
    }
    expect((await download('')).status).toBe(401)
  })

  it("answers 404 for another tenant's broadcast and for none, never its numbers", async () => {
    const other = await stack.call('POST', '/v1/broadcasts', operator, { ...draft, title: 'Altro comune' })
    await stack.db.withSchema('broadcast').updateTable('broadcast').set({ tenant: 'altrove' }).where('id', '=', other.body.id).execute()
    await stack.workerDb
      .withSchema('worker')
      .insertInto('send_ledger')
      .values({ broadcast_id: other.body.id, tenant: 'altrove', subscriber_id: randomUUID(), phone: '+393470000777', channel: 'sms', language: 'it', state: 'failed', reason: 'invalid-number' })
      .execute()
    const refused = await download(approver, other.body.id)
    expect(refused.status).toBe(404)
    expect(refused.body).not.toContain('+393470000777')
    expect((await download(approver, randomUUID())).status).toBe(404)
  })

  it('is documented in the OpenAPI document as a text/csv answer', async () => {
    const spec = await stack.api.inject({ method: 'GET', url: '/docs/json' })
    const document = spec.json()
    const route = document.paths['/v1/broadcasts/{id}/failures.csv']?.get
    expect(Object.keys(route?.responses?.['200']?.content ?? {})).toEqual(['text/csv'])
    expect(JSON.stringify(route)).not.toContain('~kind')
  })

  it('gives only the header line when nothing failed', async () => {
    const clean = await stack.call('POST', '/v1/broadcasts', operator, { ...draft, title: 'Tutto consegnato' })
    const answer = await download(approver, clean.body.id)
    expect(answer.status).toBe(200)
    expect(answer.body).toBe('\uFEFFNumero di telefono,Canale,Codice motivo,Motivo,Data e ora (UTC)\r\n')
  })
})
