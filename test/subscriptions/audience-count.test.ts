import {
  AudienceCountReplyContract,
  AudienceCountRequestContract,
  AudiencePageReplyContract,
  AudiencePageRequestContract,
  Subjects,
  type AudienceCount,
  type AudienceCountReply,
  type AudienceCountRequest,
  type AudiencePageRequest,
  type AudienceRecipient,
} from '@banditore/contracts'
import { ServiceErrorHeaders } from '@banditore/subscriptions'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SubscriptionsFixture } from './subscriptions-fixture.js'

type Filters = Omit<AudienceCountRequest, 'version' | 'tenant' | 'byTopic'>

// The staff console counts audiences with `subscriptions.audience.count`: SQL aggregates over the
// audience pages' own eligibility, without taking a snapshot (no copy of anyone's number).
describe('the audience count (subscriptions.audience.count)', () => {
  let fx: SubscriptionsFixture
  let blockedId: string
  const phone = (n: number) => `+3934910000${String(n).padStart(2, '0')}`

  const count = async (request: Filters & { byTopic?: boolean; tenant?: string }) => {
    const reply = await fx.nc.request(Subjects.audienceCount, AudienceCountRequestContract.encode({ version: 1, tenant: 'gressan', ...request }), { timeout: 5000 })
    const code = reply.headers?.get(ServiceErrorHeaders.code)
    if (code) return { error: code }
    return AudienceCountReplyContract.decode(reply.data)
  }
  let snapshots = 0
  /** Every recipient the audience pages give for the same filters (a fresh snapshot each time). */
  const pages = async (filters: Filters): Promise<AudienceRecipient[]> => {
    const recipients: AudienceRecipient[] = []
    const snapshotId = `compare-${++snapshots}`
    let after: string | undefined
    do {
      const request: AudiencePageRequest = { version: 1, tenant: 'gressan', snapshotId, ...filters, limit: 3, ...(after ? { after } : {}) }
      const reply = AudiencePageReplyContract.decode((await fx.nc.request(Subjects.audiencePage, AudiencePageRequestContract.encode(request), { timeout: 5000 })).data)
      recipients.push(...reply.recipients)
      after = reply.next
    } while (after)
    return recipients
  }
  const tally = (recipients: readonly AudienceRecipient[]): AudienceCount => {
    const tallied: AudienceCount = { total: 0, byChannel: { whatsapp: 0, sms: 0 }, byLanguage: {}, byChannelAndLanguage: {} }
    for (const r of recipients) {
      tallied.total++
      tallied.byChannel[r.channel]++
      tallied.byLanguage[r.language] = (tallied.byLanguage[r.language] ?? 0) + 1
      tallied.byChannelAndLanguage[`${r.channel}:${r.language}`] = (tallied.byChannelAndLanguage[`${r.channel}:${r.language}`] ?? 0) + 1
    }
    return tallied
  }
  const snapshotRows = async () =>
    Number((await fx.db.selectFrom('audience_snapshot').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n) +
    Number((await fx.db.selectFrom('audience_snapshot_member').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)

  const FILTERS: Filters[] = [
    { topics: ['emergenze'] },
    { topics: ['info-comune'] },
    { topics: ['eventi'] },
    { topics: ['info-comune', 'eventi'] },
    { topics: ['eventi', 'emergenze'] },
    { topics: ['eventi'], languages: ['fr'] },
    { topics: ['emergenze'], languages: ['it'], channels: ['sms'] },
    { topics: ['info-comune'], channels: ['whatsapp'] },
    { topics: ['eventi'], languages: ['de'] },
  ]

  beforeAll(async () => {
    fx = await SubscriptionsFixture.start('2026-06-03T10:00:00Z')
    // By keyword: 1-6 Italian (1-3 events only), 7-9 French, 10 unsubscribed again,
    // 11 blocked by the desk, 12 stopped WhatsApp's messages.
    for (let n = 1; n <= 12; n++) await fx.send('gressan', { from: phone(n), text: n >= 7 && n <= 9 ? "JE M'INSCRIS" : 'MI ISCRIVO' })
    for (const n of [1, 2, 3]) await fx.send('gressan', { from: phone(n), text: 'TEMI EVENTI' })
    await fx.send('gressan', { from: phone(10), text: 'MI CANCELLO' })
    expect((await fx.staff('POST', '/staff/gressan/blocks', { phone: phone(11), reason: 'insulti ripetuti allo sportello' })).statusCode).toBe(200)
    blockedId = (await fx.subscriber('gressan', phone(11)))!.id
    await sql`update subscriptions.subscriber set channel_stopped_at = ${fx.now}, channel_stopped_code = '131050' where phone = ${phone(12)}`.execute(fx.pool)
    // By SMS (written directly: Gressan has no SMS door): two Italian on info-comune, one French
    // on a topic the tenant no longer has, one inactive.
    await sql`
      insert into subscriptions.subscriber (tenant, phone, phone_hash, language, channel, status, topics, subscribed_at, created_at, updated_at)
      values
        ('gressan', '+393481000001', 'hmac-sha256:s1', 'it', 'sms', 'active', '{info-comune}', ${fx.now}, ${fx.now}, ${fx.now}),
        ('gressan', '+393481000002', 'hmac-sha256:s2', 'it', 'sms', 'active', '{info-comune,eventi}', ${fx.now}, ${fx.now}, ${fx.now}),
        ('gressan', '+393481000003', 'hmac-sha256:s3', 'fr', 'sms', 'active', '{sport}', ${fx.now}, ${fx.now}, ${fx.now}),
        ('gressan', '+393481000004', 'hmac-sha256:s4', 'it', 'sms', 'inactive', '{info-comune,eventi}', ${fx.now}, ${fx.now}, ${fx.now}),
        ('calcinato', '+393481000005', 'hmac-sha256:s5', 'it', 'sms', 'active', '{}', ${fx.now}, ${fx.now}, ${fx.now})
    `.execute(fx.pool)
  })
  afterAll(async () => {
    await fx?.close()
  })

  it('counts without taking a snapshot', async () => {
    expect(await snapshotRows()).toBe(0)
    const everyone = (await count({ topics: ['emergenze'] })) as AudienceCountReply
    expect(everyone).toEqual({
      version: 1,
      total: 12,
      byChannel: { whatsapp: 9, sms: 3 },
      byLanguage: { it: 8, fr: 4 },
      byChannelAndLanguage: { 'whatsapp:it': 6, 'whatsapp:fr': 3, 'sms:it': 2, 'sms:fr': 1 },
    })
    for (const filters of FILTERS) await count({ ...filters, byTopic: true })
    expect(await snapshotRows()).toBe(0)
  })

  it('counts what the audience pages give for the same filters, less blocked senders', async () => {
    for (const filters of FILTERS) {
      const counted = (await count(filters)) as AudienceCountReply
      const paged = await pages(filters)
      // The pages still hold a blocked sender; the worker skips them at send time (a block is an
      // opt-out in its cache), so the count, which is who a send reaches, leaves them out.
      const reached = paged.filter((r) => r.subscriberId !== blockedId)
      expect({ filters, ...counted }).toEqual({ filters, version: 1, ...tally(reached) })
    }
    expect((await pages({ topics: ['emergenze'] })).map((r) => r.subscriberId)).toContain(blockedId)
  })

  it('counts each topic on request, as the pages of that topic alone would', async () => {
    const dashboard = (await count({ topics: ['emergenze', 'info-comune', 'eventi'], byTopic: true })) as AudienceCountReply
    expect(dashboard.total).toBe(12)
    expect(dashboard.byTopic).toEqual({ emergenze: 12, 'info-comune': 8, eventi: 10 })
    for (const topic of ['emergenze', 'info-comune', 'eventi']) {
      const alone = (await pages({ topics: [topic] })).filter((r) => r.subscriberId !== blockedId)
      expect(dashboard.byTopic?.[topic]).toBe(alone.length)
    }
    const french = (await count({ topics: ['info-comune', 'eventi'], languages: ['fr'], byTopic: true })) as AudienceCountReply
    expect(french).toMatchObject({ total: 3, byTopic: { 'info-comune': 3, eventi: 3 } })
    expect((await count({ topics: ['eventi'] })) as AudienceCountReply).not.toHaveProperty('byTopic')
  })

  it('answers bad requests with service-error headers', async () => {
    expect(await count({ topics: ['sport'] })).toEqual({ error: 'UNKNOWN_TOPIC' })
    expect(await count({ topics: ['eventi'], tenant: 'nowhere' })).toEqual({ error: 'UNKNOWN_TENANT' })
    const raw = await fx.nc.request(Subjects.audienceCount, new TextEncoder().encode('{"version":1,"tenant":"gressan","topics":[]}'), { timeout: 5000 })
    expect(raw.headers?.get(ServiceErrorHeaders.code)).toBe('BAD_REQUEST')
  })
})
