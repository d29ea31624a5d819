import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Events, ModerationKv, Streams, Subjects, type DataSubjectErased, type InboundMessage } from '@banditore/contracts'
import { jetstreamManager } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import { connectNats, DurablePublisher, ensureStreams, hashApiTokenSecret, openStaffApiTokenBucket, putStaffApiToken, type Logger } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureLogs, freePort, spawnService, startNatsServer, waitForHttp, waitUntil, type ServiceProcess, type TestNatsServer } from '../harness/index.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const EDITOR = 'ancona-policy-editor-token-publish-0123456789'
const CALCINATO = 'calcinato-policy-editor-token-publish-0123456789'
const DESK = 'ancona-desk-staff-token-publish-0123456789'
const ADMIN = 'platform-admin-staff-token-publish-0123456789'
type Call = { status: number; body: any } // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions read any field

const RULE = 'tenants/ancona/inbound/insults.json'
const insults = () => JSON.parse(readFileSync(join(root, 'rules/default/inbound/insults.json'), 'utf8'))
const insultCases = () => ({ ...JSON.parse(readFileSync(join(root, 'rules/default/inbound/insults.cases.json'), 'utf8')), $schema: '../../../cases.schema.json' })

/**
 * Publishing from the policy editors' bench on two running moderation instances that follow the
 * rulesets bucket (RULESET_SOURCE=kv): a publish through one changes the verdicts of both
 * without a restart, every version records author, time and diff, a rollback is one call, a
 * refused publish names file, path and reason and leaves the rules in force; and the review
 * queue fed by real `review` verdicts, with the staff's decisions.
 */
describe('publishing rules and reviewing messages', () => {
  let nats: TestNatsServer
  let nc: NatsConnection
  const services: ServiceProcess[] = []
  const bases: string[] = []
  let logger: Logger
  let sequence = 0

  const call = async (method: 'GET' | 'POST', path: string, body?: unknown, token: string | null = EDITOR, base = bases[0]): Promise<Call> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    return { status: response.status, body: await response.json() }
  }
  /** The verdict of the second instance (not the one that published) on a first message. */
  const verdictOnOther = async (text: string) => (await call('POST', '/policy/ancona/try', { text }, EDITOR, bases[1])).body
  const inbound = async (text: string): Promise<InboundMessage> => {
    const n = ++sequence
    const at = new Date().toISOString()
    const message: InboundMessage = {
      version: 1,
      id: `whatsapp-cloud:wamid.review${n}`,
      tenant: 'ancona',
      channel: 'whatsapp',
      provider: 'whatsapp-cloud',
      providerMessageId: `wamid.review${n}`,
      from: `+3934711${String(n).padStart(5, '0')}`,
      to: '+393330000001',
      type: 'text',
      text,
      sentAt: at,
      receivedAt: at,
    }
    await new DurablePublisher(nc).publish(Subjects.inboundMessage('ancona'), new TextEncoder().encode(JSON.stringify(message)), { msgId: message.id })
    return message
  }

  beforeAll(async () => {
    logger = captureLogs('policy-publish-test', 'warn').logger
    nats = await startNatsServer()
    nc = await connectNats({ servers: nats.url, name: 'policy-publish-test', logger })
    await ensureStreams(nc, [Streams.inbound, Streams.moderation, Streams.deadLetter])
    const tokens = await openStaffApiTokenBucket(nc)
    await putStaffApiToken(tokens, hashApiTokenSecret(EDITOR), { id: 't-editor', tenant: 'ancona', role: 'policy-editor', holder: 'ancona-rules', label: 'Regole Ancona' })
    await putStaffApiToken(tokens, hashApiTokenSecret(CALCINATO), { id: 't-calcinato', tenant: 'calcinato', role: 'policy-editor', holder: 'calcinato-rules', label: 'Regole Calcinato' })
    await putStaffApiToken(tokens, hashApiTokenSecret(DESK), { id: 't-desk', tenant: 'ancona', role: 'desk', holder: 'ancona-urp', label: 'URP Ancona' })
    await putStaffApiToken(tokens, hashApiTokenSecret(ADMIN), { id: 't-admin', tenant: null, role: 'admin', holder: 'platform', label: 'Piattaforma' })
    for (let i = 0; i < 2; i++) {
      const port = await freePort()
      bases.push(`http://127.0.0.1:${port}`)
      services.push(
        spawnService('services/moderation/src/main.ts', {
          PORT: String(port),
          HOST: '127.0.0.1',
          NATS_URL: nats.url,
          TENANTS_DIR: join(root, 'tenants'),
          RULES_DIR: join(root, 'rules'),
          RULESET_SOURCE: 'kv',
          SENDER_HISTORY: 'kv',
          LOG_LEVEL: 'warn',
        }),
      )
    }
    await Promise.all(bases.map((base, i) => waitForHttp(`${base}/readyz`, 200, 60_000, () => services[i]!.child.exitCode === null)))
  }, 120_000)
  afterAll(async () => {
    await Promise.all(services.map((s) => s.signal('SIGTERM').catch(() => undefined)))
    await nc?.drain()
    await nats?.dispose()
  })

  it('serves the rule schema for the editor', async () => {
    const rule = await call('GET', '/policy/ancona/schema/rule')
    expect(rule.status).toBe(200)
    expect(rule.body).toMatchObject({ $id: 'rule.schema.json', properties: { conditions: expect.anything(), event: expect.anything() } })
    expect((await call('GET', '/policy/ancona/schema/cases')).body).toMatchObject({ $id: 'cases.schema.json' })
    expect((await call('GET', '/policy/ancona/schema/nothing')).status).toBe(404)
  })

  it('refuses a publish naming file, path and reason, and the rules in force stay', async () => {
    const broken = await call('POST', '/policy/ancona/publish', { path: RULE, rule: '{ "name": ', cases: insultCases() })
    expect(broken.status).toBe(422)
    expect(broken.body).toMatchObject({ code: 'RULESET_INVALID', errors: [{ file: RULE, path: '', reason: expect.stringContaining('not valid JSON') }] })
    expect(broken.body.detail).toContain(RULE)

    const wrong = insults()
    wrong.event.type = 'explode'
    const invalid = await call('POST', '/policy/ancona/publish', { path: RULE, rule: wrong, cases: insultCases() })
    expect(invalid.status).toBe(422)
    expect(invalid.body.errors).toContainEqual(expect.objectContaining({ file: RULE, path: expect.stringContaining('/event') }))

    const cases = insultCases()
    cases.match.push({ text: 'Quando riapre la biblioteca comunale?' })
    const failing = await call('POST', '/policy/ancona/publish', { path: RULE, rule: insults(), cases })
    expect(failing.status).toBe(422)
    expect(failing.body.code).toBe('CASES_FAILING')
    expect(failing.body.errors).toEqual([expect.objectContaining({ file: 'tenants/ancona/inbound/insults.cases.json', expectation: 'match', text: 'Quando riapre la biblioteca comunale?' })])
    expect(failing.body.detail).toContain('tenants/ancona/inbound/insults.cases.json')

    expect((await call('POST', '/policy/ancona/publish', { path: RULE, rule: insults(), cases: insultCases() }, DESK)).status).toBe(403)
    expect((await call('POST', '/policy/calcinato/publish', { path: RULE, rule: insults() })).status).toBe(403)
    expect((await call('POST', '/policy/atlantide/publish', { path: RULE, rule: insults() }, ADMIN)).status).toBe(404)
    expect((await call('POST', '/policy/ancona/versions/1/rollback', undefined, ADMIN)).status).toBe(404)
    // A tenant's editor changes the tenant's rules only, never the shared ones or another tenant's.
    expect((await call('POST', '/policy/ancona/publish', { path: 'default/inbound/insults.json', rule: insults() })).body.code).toBe('OUT_OF_SCOPE')
    expect((await call('POST', '/policy/ancona/publish', { path: 'tenants/calcinato/inbound/insults.json', rule: insults() })).status).toBe(400)
    expect((await call('POST', '/policy/ancona/publish', { path: RULE })).status).toBe(400)

    // Nothing was published: both instances decide as before, and there is no version.
    for (const base of bases) expect((await call('POST', '/policy/ancona/try', { text: 'Sindaco imbecille' }, EDITOR, base)).body).toMatchObject({ action: 'delete' })
    expect((await call('GET', '/policy/ancona/versions')).body).toMatchObject({ publishing: true, versions: [] })
  }, 60_000)

  it('publishes a change that every instance applies without a restart, records it, and rolls it back in one call', async () => {
    const before = await verdictOnOther('Sindaco imbecille')
    expect(before).toMatchObject({ action: 'delete', rules: ['insults'] })
    const rule = insults()
    rule.event.type = 'review'
    const published = await call('POST', '/policy/ancona/publish', { path: RULE, rule, cases: insultCases() })
    expect(published.status).toBe(201)
    expect(published.body).toMatchObject({ inForce: true, version: { seq: 2, kind: 'publish', author: 'token:ancona-rules', tenant: 'ancona' } })
    expect(published.body.version.changedFiles).toEqual([RULE.replace('.json', '.cases.json'), RULE])
    expect(published.body.version.diff).toContain('+    "type": "review"')

    const after = await waitUntil(async () => {
      const verdict = await verdictOnOther('Sindaco imbecille')
      return verdict.action === 'review' ? verdict : undefined
    }, { what: 'the other instance deciding with the published rules' })
    expect(after.rulesetVersion).toBe(published.body.version.rulesetVersion)
    expect(after.rulesetVersion).not.toBe(before.rulesetVersion)

    const { body: listed } = await call('GET', '/policy/ancona/versions')
    expect(listed.versions.map((v: { seq: number; kind: string }) => [v.seq, v.kind])).toEqual([[2, 'publish'], [1, 'baseline']])
    expect(listed.versions[0].publishedAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(listed.versions[1]).toMatchObject({ author: 'sistema', rulesetVersion: before.rulesetVersion })
    // Calcinato's editor sees the baseline only: the change was Ancona's.
    expect((await call('GET', '/policy/calcinato/versions', undefined, CALCINATO)).body.versions.map((v: { seq: number }) => v.seq)).toEqual([1])

    const rollback = await call('POST', '/policy/ancona/versions/1/rollback')
    expect(rollback.status).toBe(201)
    expect(rollback.body.version).toMatchObject({ seq: 3, kind: 'rollback', rollbackOf: 1, rulesetVersion: before.rulesetVersion })
    expect(rollback.body.version.diff).toContain('-    "type": "review"')
    await waitUntil(async () => (await verdictOnOther('Sindaco imbecille')).action === 'delete', { what: 'the rollback in force on the other instance' })
    const again = await call('POST', '/policy/ancona/versions/1/rollback')
    expect(again).toMatchObject({ status: 409, body: { code: 'NOTHING_TO_PUBLISH' } })
    expect((await call('POST', '/policy/ancona/versions/99/rollback')).status).toBe(404)
  }, 90_000)

  it('queues the messages the rules send to review, oldest first, and records one decision on each', async () => {
    const rule = insults()
    rule.event.type = 'review'
    expect((await call('POST', '/policy/ancona/publish', { path: RULE, rule, cases: insultCases() })).status).toBe(201)
    await waitUntil(async () => (await verdictOnOther('Sindaco imbecille')).action === 'review', { what: 'review in force' })
    const first = await inbound('Sindaco imbecille')
    const second = await inbound('Assessore idiota')
    await inbound('Quando apre la biblioteca?')
    const queue = await waitUntil(async () => {
      const { body } = await call('GET', '/policy/ancona/review')
      return body.items?.length === 2 ? body.items : undefined
    }, { what: 'two messages in the review queue' })
    expect(queue.map((i: { messageId: string }) => i.messageId)).toEqual([first.id, second.id])
    expect(queue[0]).toMatchObject({ text: 'Sindaco imbecille', rules: ['insults'], categories: ['offensive-language'] })
    expect(queue[0].from).not.toContain(first.from.slice(3, 9))

    const decided = await call('POST', `/policy/ancona/review/${queue[0].id}/decision`, { action: 'block', reason: 'Insulto al sindaco' })
    expect(decided.status).toBe(200)
    expect(decided.body.item.decision).toMatchObject({ action: 'block', by: 'token:ancona-rules', reason: 'Insulto al sindaco' })
    const twice = await call('POST', `/policy/ancona/review/${queue[0].id}/decision`, { action: 'allow', reason: 'ripensamento' }, ADMIN)
    expect(twice).toMatchObject({ status: 409, body: { code: 'REVIEW_ALREADY_DECIDED' } })
    // The same decision again (a retry) is answered as done; the first one stands.
    const retried = await call('POST', `/policy/ancona/review/${queue[0].id}/decision`, { action: 'block', reason: 'di nuovo' }, ADMIN)
    expect(retried.status).toBe(200)
    expect(retried.body.item.decision).toMatchObject({ by: 'token:ancona-rules', reason: 'Insulto al sindaco' })
    // Published once for the services that act on it (subscriptions blocks the sender).
    const jsm = await jetstreamManager(nc)
    const counts = (await jsm.streams.info(Streams.moderation.name, { subjects_filter: 'moderation.review.>' })).state.subjects
    expect(counts).toEqual({ [Subjects.reviewDecided('ancona')]: 1 })
    const event = Events.reviewDecided.contract.decode((await jsm.streams.getMessage(Streams.moderation.name, { last_by_subj: Subjects.reviewDecided('ancona') }))!.data)
    expect(event).toMatchObject({ id: `review:ancona:${queue[0].id}`, messageId: first.id, from: first.from, action: 'block', by: 'token:ancona-rules', reason: 'Insulto al sindaco' })
    expect((await call('POST', `/policy/ancona/review/${queue[1].id}/decision`, { action: 'explode', reason: 'x' })).status).toBe(400)
    expect((await call('POST', `/policy/ancona/review/${queue[1].id}/decision`, { action: 'allow', reason: '' })).status).toBe(400)
    expect((await call('POST', `/policy/ancona/review/${'0'.repeat(32)}/decision`, { action: 'allow', reason: 'x' })).status).toBe(404)
    expect((await call('GET', '/policy/ancona/review', undefined, CALCINATO)).status).toBe(403)

    expect((await call('GET', '/policy/ancona/review')).body.items.map((i: { id: string }) => i.id)).toEqual([queue[1].id])
    const history = (await call('GET', '/policy/ancona/review?state=decided')).body.items
    expect(history).toEqual([expect.objectContaining({ id: queue[0].id, decision: expect.objectContaining({ action: 'block' }) })])

    // The first sender is erased: their item leaves the queue, history included; the other stays.
    const erased: DataSubjectErased = { version: 1, id: `erasure:ancona:h1:${new Date().toISOString()}`, tenant: 'ancona', phone: first.from, phoneHash: 'h1', erasedAt: new Date().toISOString() }
    await new DurablePublisher(nc).publish(Events.subjectErased.subject('ancona'), Events.subjectErased.contract.encode(erased), { msgId: erased.id })
    await waitUntil(async () => (await call('GET', '/policy/ancona/review?state=decided')).body.items?.length === 0, { what: 'the erased sender out of the review queue' })
    expect((await call('GET', '/policy/ancona/review')).body.items.map((i: { id: string }) => i.id)).toEqual([queue[1].id])
    const bucket = await new Kvm(nc).open(ModerationKv.reviewBucket)
    const revisions = []
    for await (const entry of await bucket.history({ key: `ancona.${queue[0].id}` })) revisions.push(entry)
    expect(revisions.filter((entry) => entry.operation === 'PUT')).toEqual([])
  }, 90_000)
})
