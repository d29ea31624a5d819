import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBroadcastStack, type BroadcastStack } from '../broadcast/support/broadcast-stack.js'
import { BORGO } from '../broadcast/support/broadcast-tenant.js'
import { startInProcessWorker, type RunningWorker } from '../broadcast/support/in-process-worker.js'
import { audienceOf } from '../broadcast/support/subscribers.js'
import { waitUntil } from '../harness/index.js'

const FIXTURES = new URL('../../services/broadcast/src/bulletin/fixtures/', import.meta.url)
/** Where the published index points its files; the local server answers for it. */
const RAW = 'https://raw.githubusercontent.com/pcm-dpc/DPC-Bollettini-Criticita-Idrogeologica-Idraulica/master/files/'
const ON_DUTY = { name: 'Reperibile URP', role: 'personale di turno', phone: '+393471119100', channel: 'sms' } as const
const OFFICIAL = { name: 'Sindaca di Borgo', role: 'sindaco', phone: '+393471119101', channel: 'sms' } as const

/**
 * The DPC criticality bulletin as drafts, on the real platform: the published files (trimmed)
 * served from a local HTTP server, the broadcast service pointed at it, checks through the staff
 * API. Green and yellow draft nothing; orange drafts once (in every tenant language) and tells
 * the staff on duty from the number; the same reading never drafts twice; the next day's red
 * does; a broken bulletin is reported and nothing is lost; no citizen hears of a draft.
 */
describe('emergency drafts from the DPC bulletin', () => {
  let stack: BroadcastStack
  let worker: RunningWorker
  let server: Server
  let officer: string
  let operator: string
  /** What `/index.json` answers: a fixture index, or a failure. */
  let current: { file: string } | { status: number } | { body: string } = { status: 404 }
  const citizens = audienceOf(BORGO.id, 3, { from: 61_000, channel: 'sms' })

  const check = async () => await stack.call('POST', '/v1/bulletins/check', officer, {})
  const readings = async () => (await stack.call('GET', '/v1/bulletins', officer)).body as { readings: Array<Record<string, unknown>>; lastCheck: Record<string, unknown> | null }
  const drafts = async () => (await stack.call('GET', '/v1/emergencies?open=true', officer)).body

  beforeAll(async () => {
    server = createServer((request, response) => {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/`
      const send = (status: number, body: string) => response.writeHead(status, { 'content-type': 'application/json' }).end(body)
      if (request.url === '/index.json') {
        if ('status' in current) return send(current.status, '{"message":"Not Found"}')
        if ('body' in current) return send(200, current.body)
        return send(200, readFileSync(new URL(current.file, FIXTURES), 'utf8').replaceAll(RAW, base))
      }
      const file = request.url?.startsWith('/files/') ? request.url.slice('/files/'.length) : undefined
      try {
        if (!file || file.includes('..')) throw new Error('not found')
        send(200, readFileSync(new URL(file, FIXTURES), 'utf8'))
      } catch {
        send(404, '404: Not Found')
      }
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    stack = await startBroadcastStack({
      extraTopics: ['bollettino'],
      broadcastEnv: {
        DPC_BULLETIN_INDEX_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.json`,
        // The test checks through the API; the poll would only race it.
        DPC_BULLETIN_POLL_SECONDS: '3600',
        DPC_BULLETIN_TIMEOUT_MS: '5000',
      },
      emergency: {
        officials: [OFFICIAL],
        onDuty: [ON_DUTY],
        whatsappTemplate: { name: 'allerta_emergenza', languages: { it: 'it', fr: 'fr' } },
        bulletin: { zone: 'Lomb-09', zoneName: 'Nodo Idraulico di Milano', municipality: 'Corbetta', alertTemplate: 'allerta-idrogeologica' },
        alertTemplates: [
          {
            id: 'allerta-idrogeologica',
            label: 'Allerta idrogeologica',
            event: 'Allerta meteo-idro',
            severity: 'Severe',
            urgency: 'Expected',
            certainty: 'Likely',
            headline: { it: 'Allerta idrogeologica', fr: 'Alerte hydrogéologique' },
            description: { it: 'Sono possibili allagamenti di sottopassi e scantinati.', fr: 'Des inondations de passages souterrains et de caves sont possibles.' },
            instruction: { it: 'Evitate sottopassi e argini.', fr: 'Évitez les passages souterrains et les berges.' },
            area: 'Territorio del Comune di Borgo',
          },
        ],
      },
    })
    await stack.audience.add(citizens)
    worker = await startInProcessWorker(stack)
    officer = await stack.token('civil-protection', 'protezione.civile@borgo.example')
    operator = await stack.token('operator', 'operatore@borgo.example')
  }, 300_000)

  afterAll(async () => {
    await worker?.stop()
    await stack?.stop()
    await new Promise((resolve) => server?.close(resolve))
  })

  it('a broken index (404, malformed JSON, a missing file) is a clear error, recorded, and changes nothing', async () => {
    current = { status: 404 }
    let answer = await check()
    expect(answer.status).toBe(503)
    expect(answer.body.detail).toMatch(/indice del bollettino non disponibile .*HTTP 404/)
    current = { body: '{"name": "Bollettino del 07 dicembre' }
    answer = await check()
    expect(answer.status).toBe(503)
    expect(answer.body.detail).toMatch(/non è JSON valido/)
    current = { body: JSON.stringify({ name: 'Bollettino del 09 dicembre 2026 ore 15:30', today: { topo_json: `${RAW}topojson/20261209_1530_today.json` } }).replaceAll(RAW, './files/') }
    answer = await check()
    expect(answer.status).toBe(503)
    expect(answer.body.detail).toMatch(/bollettino di oggi non disponibile .*HTTP 404/)
    const read = await readings()
    expect(read.readings).toEqual([])
    expect(read.lastCheck).toMatchObject({ ok: false, error: expect.stringMatching(/HTTP 404/) })
    expect((await drafts()).emergencies ?? []).toEqual([])
    // Still serving.
    expect((await stack.call('GET', '/v1/bulletins', officer)).status).toBe(200)
  })

  it('yellow and green draft nothing; the readings are kept', async () => {
    current = { file: '20261206_1530.json' }
    const answer = await check()
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(answer.body).toMatchObject({ ok: true, bulletins: ['20261206_1530'], drafts: [] })
    const read = await readings()
    expect(read.readings.map((r) => [r.day, r.zone, r.colour, r.emergencyId])).toEqual([
      ['2026-12-07', 'Lomb-09', 'green', null],
      ['2026-12-06', 'Lomb-09', 'yellow', null],
    ])
  })

  it('orange drafts one alert in every language, tells the staff on duty, and sends nothing to citizens', async () => {
    current = { file: '20261207_1530.json' }
    const answer = await check()
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(answer.body.drafts).toHaveLength(1)
    const id = answer.body.drafts[0].emergencyId as string
    const draft = (await stack.call('GET', `/v1/emergencies/${id}`, officer)).body
    expect(draft).toMatchObject({
      status: 'draft',
      source: 'bulletin',
      triggeredAt: null,
      bulletin: { bulletinId: '20261207_1530', day: '2026-12-07', zone: 'Lomb-09', colour: 'orange', criticality: 'Moderata per rischio idrogeologico / ALLERTA ARANCIONE' },
      message: {
        severity: 'Severe',
        headline: { it: 'Comune di Borgo: ALLERTA ARANCIONE per il 7/12/2026 (zona di allerta Lomb-09)', fr: "Comune di Borgo : ALERTE ORANGE pour le 7/12/2026 (zone d'alerte Lomb-09)" },
        instruction: { it: 'Evitate sottopassi e argini.', fr: 'Évitez les passages souterrains et les berges.' },
      },
    })
    expect(draft.message.description.it).toContain('(Bollettino del 07 dicembre 2026 ore 15:30) indica per il 7/12/2026 ALLERTA ARANCIONE nella zona di allerta Lomb-09')
    expect(draft.message.description.it).toContain('Sono possibili allagamenti')
    expect(draft.message.description.fr).toContain('ALERTE ORANGE')

    // The staff on duty get the notice by SMS from the number; the officials' chain is not started.
    const notice = await waitUntil(() => stack.sim.messages({ to: ON_DUTY.phone })[0], { timeoutMs: 120_000, what: 'the notice to the staff on duty' })
    expect(notice.text).toBe(
      'Comune di Borgo: bozza di allerta dal bollettino di criticità DPC, ALLERTA ARANCIONE per il 7/12/2026, zona Lomb-09. Non è stata inviata ai cittadini: verificala e inviala dalla console (Emergenze).',
    )
    expect(notice.senderNumber).toBe(BORGO.smsNumber)
    const timeline = (await stack.call('GET', `/v1/emergencies/${id}/timeline`, officer)).body.entries as Array<{ kind: string; actor: string; detail: Record<string, unknown> }>
    expect(timeline.map((e) => [e.kind, e.actor])).toEqual([
      ['created', 'system:bollettino-dpc'],
      ['on-duty-alerted', 'system:bollettino-dpc'],
    ])
    expect(stack.sim.messages({ to: OFFICIAL.phone })).toEqual([])
    for (const citizen of citizens) expect(stack.sim.messages({ to: citizen.phone })).toEqual([])

    const read = await readings()
    expect(read.readings[0]).toMatchObject({ bulletinId: '20261207_1530', day: '2026-12-08', colour: 'yellow', emergencyId: null })
    expect(read.readings[1]).toMatchObject({ bulletinId: '20261207_1530', day: '2026-12-07', colour: 'orange', emergencyId: id })
    // An operator does not read the bulletin.
    expect((await stack.call('GET', '/v1/bulletins', operator)).status).toBe(403)
  })

  it('the same bulletin, read again (and by two checks at once), drafts nothing twice', async () => {
    const [first, second] = await Promise.all([check(), check()])
    expect(first.body.drafts).toEqual([])
    expect(second.body.drafts).toEqual([])
    const bulletinDrafts = (await drafts()).emergencies.filter((e: { source: string }) => e.source === 'bulletin')
    expect(bulletinDrafts).toHaveLength(1)
    expect(stack.sim.messages({ to: ON_DUTY.phone })).toHaveLength(1)
  })

  it('the next day red is a new draft; still nothing reaches citizens without a person', async () => {
    current = { file: '20261208_1530.json' }
    const answer = await check()
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(answer.body.drafts).toHaveLength(1)
    const draft = (await stack.call('GET', `/v1/emergencies/${answer.body.drafts[0].emergencyId}`, officer)).body
    expect(draft).toMatchObject({ status: 'draft', source: 'bulletin', bulletin: { day: '2026-12-08', colour: 'red' }, message: { severity: 'Extreme' } })
    expect(draft.message.headline.it).toBe('Comune di Borgo: ALLERTA ROSSA per il 8/12/2026 (zona di allerta Lomb-09)')
    await waitUntil(() => stack.sim.messages({ to: ON_DUTY.phone }).length === 2, { timeoutMs: 120_000, what: 'the second notice' })
    expect(stack.sim.messages({ to: ON_DUTY.phone })[1]?.text).toContain('ALLERTA ROSSA per il 8/12/2026')
    for (const citizen of citizens) expect(stack.sim.messages({ to: citizen.phone })).toEqual([])
    const list = (await drafts()).emergencies.filter((e: { source: string }) => e.source === 'bulletin')
    expect(list).toHaveLength(2)
  })
})
