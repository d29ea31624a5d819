import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from './start-simulator.js'
import { listWhatsAppTemplates, ProviderError, type FetchFunction } from '@banditore/providers'

/*
 * The template listing (GET /{version}/{waba-id}/message_templates) read by the providers'
 * client against the simulator: Meta's nodes, paging by cursor, its errors.
 */

const waba = '102290129340398'
const number = { phoneNumberId: '100000000000004', accessToken: 'EAAG-ancona', displayPhoneNumber: '+393667695184', businessAccountId: waba }
let sim: RunningSimulator

beforeAll(async () => {
  sim = await startSimulator({
    whatsapp: [
      {
        ...number,
        templates: [
          { name: 'avviso_generico', language: 'it', category: 'UTILITY', qualityRating: 'GREEN', bodyParameters: 2, body: 'Il Comune informa: {{1}}. Dettagli: {{2}}' },
          { name: 'avviso_generico', language: 'fr', bodyParameters: 2 },
          { name: 'evento_comunale', language: 'it', category: 'MARKETING', status: 'PAUSED', qualityRating: 'RED', bodyParameters: 1 },
          { name: 'promemoria_tari', language: 'it', status: 'REJECTED' },
        ],
      },
      // Another business account: its templates are not Ancona's.
      { phoneNumberId: '100000000000009', accessToken: 'EAAG-other', displayPhoneNumber: '+393667690000', businessAccountId: '999', templates: [{ name: 'altro', language: 'it' }] },
    ],
  })
  // More than a page's worth.
  for (let i = 0; i < 12; i++) sim.setTemplate(waba, { name: `modello_${String(i).padStart(2, '0')}`, language: 'it', bodyParameters: i % 3 })
})
afterAll(() => sim.stop())

function countingFetch() {
  const urls: string[] = []
  const fetchFn: FetchFunction = (input, init) => {
    urls.push(input)
    return fetch(input, init)
  }
  return { fetchFn, urls }
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof ProviderError) return error
    throw error
  }
  throw new Error('expected the listing to fail')
}

describe('listing a business account\'s templates', () => {
  it('reads every page and parses name, language, status, category, quality, body and its parameters', async () => {
    const spy = countingFetch()
    const templates = await listWhatsAppTemplates({ baseUrl: sim.url, businessAccountId: waba, accessToken: number.accessToken, pageSize: 5, fetch: spy.fetchFn })
    expect(templates).toHaveLength(16)
    // 16 templates, 5 a page: four requests, each after the previous page's cursor.
    expect(spy.urls).toHaveLength(4)
    expect(spy.urls[0]).toMatch(new RegExp(`^${sim.url}/v21\\.0/${waba}/message_templates\\?fields=`))
    expect(spy.urls.slice(1).every((url) => /[?&]after=/.test(url))).toBe(true)
    expect(new Set(templates.map((t) => `${t.name}|${t.language}`)).size).toBe(16)
    expect(templates.find((t) => t.name === 'avviso_generico' && t.language === 'it')).toEqual({
      name: 'avviso_generico',
      language: 'it',
      status: 'APPROVED',
      category: 'UTILITY',
      qualityRating: 'GREEN',
      body: 'Il Comune informa: {{1}}. Dettagli: {{2}}',
      parameterCount: 2,
    })
    expect(templates.find((t) => t.name === 'evento_comunale')).toMatchObject({ status: 'PAUSED', category: 'MARKETING', qualityRating: 'RED', parameterCount: 1 })
    expect(templates.find((t) => t.name === 'promemoria_tari')).toMatchObject({ status: 'REJECTED', qualityRating: 'UNKNOWN', parameterCount: 0 })
    expect(templates.some((t) => t.name === 'altro')).toBe(false)
  })

  it('answers the Graph API shape: data, paging cursors and next, only the fields asked for', async () => {
    const response = await fetch(`${sim.url}/v21.0/${waba}/message_templates?limit=2&status=APPROVED`, { headers: { authorization: `Bearer ${number.accessToken}` } })
    expect(response.status).toBe(200)
    const body = (await response.json()) as { data: Array<Record<string, unknown>>; paging: { cursors: { before: string; after: string }; next?: string } }
    expect(body.data).toHaveLength(2)
    expect(Object.keys(body.data[0] ?? {}).sort()).toEqual(['category', 'components', 'id', 'language', 'name', 'status'])
    expect(body.data.every((t) => t.status === 'APPROVED')).toBe(true)
    expect(body.paging.cursors).toEqual({ before: expect.any(String), after: expect.any(String) })
    expect(body.paging.next).toContain(`after=${body.paging.cursors.after}`)

    const one = await fetch(`${sim.url}/v21.0/${waba}/message_templates?name=evento&fields=name,quality_score`, { headers: { authorization: `Bearer ${number.accessToken}` } })
    expect(await one.json()).toMatchObject({ data: [{ name: 'evento_comunale', quality_score: { score: 'RED' } }] })
  })

  it('refuses a bad token with 190 (permanent) and an unknown account with 100/33', async () => {
    const badToken = await failure(listWhatsAppTemplates({ baseUrl: sim.url, businessAccountId: waba, accessToken: 'EAAG-other' }))
    expect(badToken).toMatchObject({ kind: 'permanent', providerCode: '190', httpStatus: 401 })

    const unknown = await failure(listWhatsAppTemplates({ baseUrl: sim.url, businessAccountId: '123456', accessToken: number.accessToken }))
    expect(unknown).toMatchObject({ kind: 'permanent', providerCode: '100', httpStatus: 400 })
    const raw = await fetch(`${sim.url}/v21.0/123456/message_templates`, { headers: { authorization: `Bearer ${number.accessToken}` } })
    expect(await raw.json()).toMatchObject({ error: { code: 100, error_subcode: 33, type: 'GraphMethodException', message: expect.stringMatching(/^Unsupported get request/) } })
  })

  it('reports an unreachable provider as retryable', async () => {
    const error = await failure(listWhatsAppTemplates({ baseUrl: 'http://127.0.0.1:9', businessAccountId: waba, accessToken: number.accessToken, timeoutMs: 2000 }))
    expect(error.kind).toBe('retryable')
  })
})
