import { InboundMessageContract, PaperSignupFormContract, privacyPolicyVersion, SignupFormContract, Streams } from '@banditore/contracts'
import { jetstreamManager } from '@nats-io/jetstream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readInbound, startIngest, type RunningIngest } from './running-ingest.js'

const VALDORO_POLICY = privacyPolicyVersion('Informativa sul trattamento dei dati personali del Comune di Valdoro, versione di prova.')
const MONTEBIANCO_POLICY_FR = privacyPolicyVersion('Notice de confidentialité de Montebianco.')
const ANNA = 'anna-token-0123456789abcdef'

describe('sign-up forms', () => {
  let ingest: RunningIngest
  let ip = 0
  // Each test posts from its own address (behind a trusted proxy), so per-IP limits stay apart.
  const nextIp = () => `198.51.100.${++ip}`

  beforeAll(async () => {
    ingest = await startIngest({
      TRUST_PROXY: 'true',
      PAPER_FORM_TOKENS: `urp-anna:${ANNA},urp-bruno:bruno-token-0123456789abcdef`,
    })
  })
  afterAll(async () => {
    await ingest?.close()
  })

  const streamCount = async () => (await (await jetstreamManager(ingest.nc)).streams.info(Streams.inbound.name)).state.messages
  const signup = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${ingest.url}/forms/signup`, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json', 'x-forwarded-for': headers['x-forwarded-for'] ?? nextIp(), ...headers },
    })
  const valid = (overrides: Record<string, unknown> = {}) => ({
    tenant: 'valdoro',
    name: '  Maria   Rossi ',
    phone: '347 123 4567',
    topics: ['eventi', 'viabilita'],
    consent: true,
    policyVersion: VALDORO_POLICY,
    ...overrides,
  })

  it('publishes a web sign-up as an InboundMessage of type form, for the double opt-in', async () => {
    const response = await signup(valid({ submissionId: 'page-0000000001' }))
    expect(response.status).toBe(202)
    const answer = (await response.json()) as { id: string; status: string; message: string }
    expect(answer).toMatchObject({ status: 'pending-confirmation', id: 'web-form:valdoro:page-0000000001' })
    expect(answer.message).toMatch(/rispondi per confermare/)

    const stored = (await readInbound(ingest.nc, 'inbound.message.valdoro')).filter((m) => m.json.id === answer.id)
    expect(stored).toHaveLength(1)
    const message = InboundMessageContract.parse(stored[0]?.json)
    expect(message).toMatchObject({ channel: 'web', provider: 'web-form', type: 'form', from: '+393471234567', tenant: 'valdoro' })
    expect(SignupFormContract.parse(message.form)).toEqual({
      kind: 'signup',
      name: 'Maria Rossi',
      topics: ['eventi', 'viabilita'],
      policyVersion: VALDORO_POLICY,
      consent: true,
      language: 'it',
    })
    expect(ingest.logs.text()).not.toContain('3471234567')
  })

  it('accepts the form-encoded post of a plain HTML form (repeated topics, checkbox "on")', async () => {
    const body = new URLSearchParams([
      ['tenant', 'valdoro'],
      ['name', 'Giulio Bianchi'],
      ['phone', '+39 320 765 4321'],
      ['topics', 'eventi'],
      ['topics', 'emergenze'],
      ['consent', 'on'],
      ['policyVersion', VALDORO_POLICY],
      ['submit', 'Iscriviti'],
    ]).toString()
    const response = await fetch(`${ingest.url}/forms/signup`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': nextIp() },
    })
    expect(response.status).toBe(202)
    const { id } = (await response.json()) as { id: string }
    const [stored] = (await readInbound(ingest.nc, 'inbound.message.valdoro')).filter((m) => m.json.id === id)
    expect(stored?.json).toMatchObject({ from: '+393207654321', form: { topics: ['eventi', 'emergenze'], name: 'Giulio Bianchi', consent: true } })
  })

  it('stores a resubmitted page (same submissionId) once', async () => {
    const body = valid({ phone: '3331112222', submissionId: 'page-resubmitted-1' })
    for (let i = 0; i < 3; i++) expect((await signup(body)).status).toBe(202)
    const stored = (await readInbound(ingest.nc, 'inbound.message.valdoro')).filter((m) => m.json.id === 'web-form:valdoro:page-resubmitted-1')
    expect(stored).toHaveLength(1)
  })

  it.each([
    ['an unknown tenant', valid({ tenant: 'atlantide' }), 404, 'UNKNOWN_TENANT', /Comune sconosciuto/],
    ['a tenant without the web door', valid({ tenant: 'montebianco', topics: [] }), 403, 'DOOR_CLOSED', /non accetta iscrizioni tramite modulo web/],
    ['an invalid number', valid({ phone: '12345' }), 400, 'INVALID_PHONE', /numero di telefono non è valido/],
    ['an unknown topic', valid({ topics: ['calcio'] }), 400, 'UNKNOWN_TOPIC', /Argomento non disponibile: calcio/],
    ['consent not given', valid({ consent: false }), 400, 'CONSENT_REQUIRED', /accettare l'informativa/],
    ['an outdated privacy notice', valid({ policyVersion: privacyPolicyVersion('vecchia informativa') }), 409, 'POLICY_VERSION_STALE', /ricarica la pagina/],
    ['a blank name', valid({ name: '   ' }), 400, 'NAME_REQUIRED', /nome e cognome/],
    ['a missing field', { tenant: 'valdoro', name: 'X' }, 400, 'INVALID_FORM', /modulo non è valido/],
    ['an unknown field', valid({ admin: true }), 400, 'INVALID_FORM', /modulo non è valido/],
    ['a language the tenant lacks', valid({ language: 'de' }), 400, 'UNKNOWN_LANGUAGE', /Lingua non disponibile/],
    ['not JSON', '{"tenant": ', 400, 'FST_ERR_CTP_INVALID_JSON_BODY', /./],
  ])('refuses %s, in the citizen’s language, and publishes nothing', async (_case, body, status, code, detail) => {
    const before = await streamCount()
    const response = await signup(body)
    expect(response.status).toBe(status)
    expect(response.headers.get('content-type')).toContain('application/problem+json')
    const problem = (await response.json()) as { code: string; detail: string }
    expect(problem.code).toBe(code)
    expect(problem.detail).toMatch(detail)
    expect(await streamCount()).toBe(before)
  })

  it('answers French-speaking citizens in French', async () => {
    const response = await signup({ tenant: 'montebianco', name: 'Jeanne Martin', phone: '3479876543', topics: ['info-comune'], consent: true, policyVersion: MONTEBIANCO_POLICY_FR, language: 'fr' })
    expect(response.status).toBe(403)
    expect(((await response.json()) as { detail: string }).detail).toBe('Cette commune n’accepte pas les inscriptions par formulaire web.')
  })

  it('limits sign-ups per number, whatever the address', async () => {
    const phone = '3405550001'
    for (let i = 0; i < ingest.config.SIGNUP_LIMIT_PER_NUMBER; i++) {
      // Written differently each time: the limit is on the normalized number.
      expect((await signup(valid({ phone: i % 2 ? `+39${phone}` : phone }))).status).toBe(202)
    }
    const before = await streamCount()
    const limited = await signup(valid({ phone: `0039 ${phone}` }))
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await limited.json()) as { detail: string }).detail).toMatch(/Troppe richieste di iscrizione per questo numero/)
    expect(await streamCount()).toBe(before)
    expect((await signup(valid({ phone: '3405550002' }))).status).toBe(202)
  })

  it('limits sign-ups per address before reading the body', async () => {
    const address = nextIp()
    for (let i = 0; i < ingest.config.SIGNUP_LIMIT_PER_IP; i++) {
      await signup(valid({ phone: `34055501${String(i).padStart(2, '0')}` }), { 'x-forwarded-for': address })
    }
    const limited = await signup('not even JSON', { 'x-forwarded-for': address })
    expect(limited.status).toBe(429)
    expect(((await limited.json()) as { detail: string }).detail).toMatch(/Troppe richieste di iscrizione da questa connessione/)
    expect((await signup(valid({ phone: '3405550199' }))).status).toBe(202)
  })

  describe('paper forms typed in by the URP office', () => {
    const paper = (body: unknown, token: string | null = ANNA) =>
      fetch(`${ingest.url}/forms/paper`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      })
    const form = (overrides: Record<string, unknown> = {}) => ({
      tenant: 'valdoro',
      name: 'Lucia Verdi',
      phone: '0331 123456',
      topics: ['eventi'],
      consent: true,
      policyVersion: VALDORO_POLICY,
      formReference: 'URP/2025/0042',
      signedAt: '2025-05-30',
      ...overrides,
    })

    it.each([
      ['no token', null],
      ['a wrong token', 'anna-token-0123456789abcdeX'],
      ['a prefix of a token', 'anna-token'],
    ])('refuses %s with 401', async (_case, token) => {
      const before = await streamCount()
      const response = await paper(form(), token)
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
      expect(await streamCount()).toBe(before)
    })

    it('records the operator and the form reference, and a form typed twice once', async () => {
      const first = await paper(form())
      expect(first.status).toBe(202)
      expect(await first.json()).toMatchObject({ status: 'recorded', id: 'paper-form:valdoro:URP/2025/0042' })
      const again = await paper(form(), 'bruno-token-0123456789abcdef')
      expect(await again.json()).toMatchObject({ status: 'already-recorded', message: 'Modulo già registrato in precedenza.' })

      const stored = (await readInbound(ingest.nc, 'inbound.message.valdoro')).filter((m) => m.json.channel === 'paper')
      expect(stored).toHaveLength(1)
      const message = InboundMessageContract.parse(stored[0]?.json)
      expect(message).toMatchObject({ provider: 'paper-form', type: 'form', from: '+390331123456', providerMessageId: 'URP/2025/0042' })
      expect(PaperSignupFormContract.parse(message.form)).toMatchObject({
        kind: 'paper-signup',
        operator: 'urp-anna',
        formReference: 'URP/2025/0042',
        signedAt: '2025-05-30',
        consent: true,
        policyVersion: VALDORO_POLICY,
      })
    })

    it.each([
      ['a tenant without the paper door', form({ tenant: 'montebianco', topics: [], policyVersion: MONTEBIANCO_POLICY_FR, language: 'fr' }), 403],
      ['a signature date in the future', form({ formReference: 'URP/2099/1', signedAt: '2099-01-01' }), 400],
      ['an impossible date', form({ formReference: 'URP/2025/2', signedAt: '2025-02-30' }), 400],
      ['no form reference', { ...form(), formReference: undefined }, 400],
    ])('refuses %s', async (_case, body, status) => {
      const before = await streamCount()
      expect((await paper(body)).status).toBe(status)
      expect(await streamCount()).toBe(before)
    })
  })
})
