import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Streams } from '@banditore/contracts'
import { connectNats, ensureStreams, hashApiTokenSecret, openStaffApiTokenBucket, putStaffApiToken, type Logger } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureLogs, freePort, spawnService, startNatsServer, waitForHttp, type ServiceProcess, type TestNatsServer } from '../harness/index.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const EDITOR = 'ancona-policy-editor-token-0123456789'
const DESK = 'ancona-desk-staff-token-0123456789'
const ADMIN = 'platform-admin-staff-token-0123456789'
type Call = { status: number; body: any } // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions read any field

/**
 * The policy editors' bench on the running moderation service: the rules in force for a tenant,
 * a message tried against them, and an edited rule checked without publishing, behind the
 * platform's staff identity (an API token from the staff-api-tokens bucket).
 */
describe('the moderation policy routes', () => {
  let nats: TestNatsServer
  let nc: NatsConnection
  let service: ServiceProcess
  let base: string
  let logger: Logger

  const call = async (method: 'GET' | 'POST', path: string, body?: unknown, token: string | null = EDITOR): Promise<Call> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    return { status: response.status, body: await response.json() }
  }

  beforeAll(async () => {
    logger = captureLogs('policy-routes-test', 'warn').logger
    nats = await startNatsServer()
    nc = await connectNats({ servers: nats.url, name: 'policy-routes-test', logger })
    await ensureStreams(nc, [Streams.inbound, Streams.moderation, Streams.deadLetter])
    const tokens = await openStaffApiTokenBucket(nc)
    await putStaffApiToken(tokens, hashApiTokenSecret(EDITOR), { id: 't-editor', tenant: 'ancona', role: 'policy-editor', holder: 'ancona-rules', label: 'Regole Ancona' })
    await putStaffApiToken(tokens, hashApiTokenSecret(DESK), { id: 't-desk', tenant: 'ancona', role: 'desk', holder: 'ancona-urp', label: 'URP Ancona' })
    await putStaffApiToken(tokens, hashApiTokenSecret(ADMIN), { id: 't-admin', tenant: null, role: 'admin', holder: 'platform', label: 'Piattaforma' })
    const port = await freePort()
    base = `http://127.0.0.1:${port}`
    service = spawnService('services/moderation/src/main.ts', {
      PORT: String(port),
      HOST: '127.0.0.1',
      NATS_URL: nats.url,
      TENANTS_DIR: join(root, 'tenants'),
      RULES_DIR: join(root, 'rules'),
      RULESET_SOURCE: 'none',
      SENDER_HISTORY: 'memory',
      LOG_LEVEL: 'warn',
    })
    await waitForHttp(`${base}/readyz`, 200, 60_000, () => service.child.exitCode === null)
  }, 90_000)
  afterAll(async () => {
    await service?.signal('SIGTERM').catch(() => undefined)
    await nc?.drain()
    await nats?.dispose()
  })

  it('lists the rules in force for a tenant: the shared defaults with its overrides', async () => {
    const { status, body } = await call('GET', '/policy/ancona/rules')
    expect(status).toBe(200)
    expect(body.rulesetVersion).toMatch(/^sha256:/)
    const rules = body.rules as Array<{ name: string; cases: { match: number } }>
    expect(rules.find((r) => r.name === 'insults')).toMatchObject({
      layer: 'default',
      direction: 'inbound',
      file: 'default/inbound/insults.json',
      action: 'delete',
      category: 'offensive-language',
      overridesDefault: false,
    })
    expect(rules.find((r) => r.name === 'insults')?.cases.match).toBeGreaterThan(0)
    expect(rules.find((r) => r.name === 'external-link-off-topic')).toMatchObject({ layer: 'ancona', overridesDefault: true })

    const detail = await call('GET', '/policy/ancona/rules/insults')
    expect(detail.status).toBe(200)
    expect(JSON.parse(detail.body.rule.text)).toMatchObject({ name: 'insults' })
    expect(JSON.parse(detail.body.rule.casesText)).toMatchObject({ rule: 'insults' })
    expect((await call('GET', '/policy/ancona/rules/no-such-rule')).status).toBe(404)
  })

  it('tries a message: the verdict, the rule that fired, the condition and the words', async () => {
    const { status, body } = await call('POST', '/policy/ancona/try', { text: 'Sindaco imbecille' })
    expect(status).toBe(200)
    expect(body).toMatchObject({ action: 'delete', categories: ['offensive-language'], rules: ['insults'] })
    expect(body.explanations[0]).toMatchObject({ rule: 'insults' })
    expect(JSON.stringify(body.explanations[0].conditions)).toContain('imbecille')
    expect((await call('POST', '/policy/ancona/try', { text: 'Quando riapre la biblioteca?' })).body).toMatchObject({ action: 'allow', rules: [] })
  })

  it('refuses an invalid edit naming the file, the JSON path and the reason, and keeps the rules in force', async () => {
    const rule = JSON.parse(readFileSync(join(root, 'rules/default/inbound/insults.json'), 'utf8'))
    rule.event.type = 'explode'
    const { status, body } = await call('POST', '/policy/ancona/check', { path: 'default/inbound/insults.json', rule, corpus: false })
    expect(status).toBe(200)
    expect(body.valid).toBe(false)
    expect(body.issues).toContainEqual(expect.objectContaining({ file: 'default/inbound/insults.json', path: expect.stringContaining('/event') }))
    expect(body.issues[0].reason).toBeTruthy()
    const broken = await call('POST', '/policy/ancona/check', { path: 'default/inbound/insults.json', rule: '{ "name": ', corpus: false })
    expect(broken.body).toMatchObject({ valid: false, issues: [{ file: 'default/inbound/insults.json', path: '', reason: expect.stringContaining('not valid JSON') }] })
    // Nothing was published: the rules in force still decide as before.
    expect((await call('POST', '/policy/ancona/try', { text: 'Sindaco imbecille' })).body).toMatchObject({ action: 'delete' })
  })

  it('runs the edited rule\'s cases and lists the failing ones, with the corpus effect', async () => {
    const rule = JSON.parse(readFileSync(join(root, 'rules/tenants/ancona/inbound/external-link-off-topic.json'), 'utf8'))
    const cases = JSON.parse(readFileSync(join(root, 'rules/tenants/ancona/inbound/external-link-off-topic.cases.json'), 'utf8'))
    cases.match.push({ text: 'Buongiorno, a che ora apre il mercato?', note: 'a case that cannot pass' })
    const { status, body } = await call('POST', '/policy/ancona/check', { path: 'tenants/ancona/inbound/external-link-off-topic.json', rule, cases })
    expect(status).toBe(200)
    expect(body.valid).toBe(true)
    expect(body.cases.failures).toEqual([
      expect.objectContaining({ file: 'tenants/ancona/inbound/external-link-off-topic.cases.json', rule: 'external-link-off-topic', expectation: 'match', text: 'Buongiorno, a che ora apre il mercato?' }),
    ])
    expect(body.cases.passed).toBeGreaterThan(0)
    // The rule itself is unchanged: the corpus verdicts do not move.
    expect(body.corpus).toMatchObject({ split: 'dev', changes: [] })
    expect(body.corpus.before).toEqual(body.corpus.after)

    // Dropping the insults rule's lexicon condition changes verdicts on the corpus.
    const insults = JSON.parse(readFileSync(join(root, 'rules/default/inbound/insults.json'), 'utf8'))
    insults.event.type = 'review'
    const effect = await call('POST', '/policy/ancona/check', { path: 'default/inbound/insults.json', rule: insults })
    expect(effect.body.valid).toBe(true)
    expect(effect.body.corpus.entries).toBeGreaterThan(0)
    expect(effect.body.corpus.changes.length).toBeGreaterThan(0)
    expect(effect.body.corpus.changes[0]).toMatchObject({ before: { action: 'delete' }, after: { rules: expect.arrayContaining(['insults']) } })
  }, 60_000)

  it('answers 401 without a credential and 403 to another role or another tenant', async () => {
    expect((await call('GET', '/policy/ancona/rules', undefined, null)).status).toBe(401)
    const desk = await call('GET', '/policy/ancona/rules', undefined, DESK)
    expect(desk.status).toBe(403)
    expect(desk.body.detail).toContain('redattore delle regole')
    expect((await call('POST', '/policy/calcinato/try', { text: 'ciao' })).status).toBe(403)
    expect((await call('GET', '/policy/calcinato/rules', undefined, ADMIN)).status).toBe(200)
    expect((await call('POST', '/policy/ancona/check', { path: 'tenants/calcinato/inbound/insults.json', rule: {} })).status).toBe(400)
  })
})
