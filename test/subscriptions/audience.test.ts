import { AudiencePageReplyContract, AudiencePageRequestContract, Subjects, type AudiencePageReply, type AudiencePageRequest } from '@banditore/contracts'
import { encodeCursor, ServiceErrorHeaders, WHOLE_SNAPSHOT_MAX } from '@banditore/subscriptions'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SubscriptionsFixture } from './subscriptions-fixture.js'

// The broadcast workflows read their audience page by page over NATS request/reply, from a
// snapshot taken at the first page; opt-outs still take effect between pages.
describe('the paged audience (subscriptions.audience.page)', () => {
  let fx: SubscriptionsFixture
  const phone = (n: number) => `+3934900000${String(n).padStart(2, '0')}`

  const ask = async (request: Omit<AudiencePageRequest, 'version' | 'tenant'> & { tenant?: string }) => {
    const reply = await fx.nc.request(Subjects.audiencePage, AudiencePageRequestContract.encode({ version: 1, tenant: 'gressan', ...request }), { timeout: 5000 })
    const code = reply.headers?.get(ServiceErrorHeaders.code)
    if (code) return { error: code, message: reply.headers?.get(ServiceErrorHeaders.message) }
    return AudiencePageReplyContract.decode(reply.data)
  }
  const all = async (request: Omit<AudiencePageRequest, 'version' | 'tenant' | 'after'>) => {
    const phones: string[] = []
    let after: string | undefined
    for (;;) {
      const page = (await ask({ ...request, ...(after ? { after } : {}) })) as AudiencePageReply
      phones.push(...page.recipients.map((r) => r.phone))
      if (!page.next) return phones.sort()
      after = page.next
    }
  }

  beforeAll(async () => {
    fx = await SubscriptionsFixture.start('2026-06-03T10:00:00Z')
    // 1-6 Italian (1-3 events only), 7-9 French, 10 unsubscribed again.
    for (let n = 1; n <= 10; n++) await fx.send('gressan', { from: phone(n), text: n >= 7 && n <= 9 ? "JE M'INSCRIS" : 'MI ISCRIVO' })
    for (const n of [1, 2, 3]) await fx.send('gressan', { from: phone(n), text: 'TEMI EVENTI' })
    await fx.send('gressan', { from: phone(10), text: 'MI CANCELLO' })
  })
  afterAll(async () => {
    await fx?.close()
  })

  it('pages through a snapshot with keyset cursors', async () => {
    const first = (await ask({ snapshotId: 'b-1', topics: ['info-comune'], limit: 2 })) as AudiencePageReply
    expect(first.total).toBe(6)
    expect(first.recipients).toHaveLength(2)
    expect(first.next).toBeDefined()
    expect(first.recipients[0]).toMatchObject({ channel: 'whatsapp' })
    expect(await all({ snapshotId: 'b-1', topics: ['info-comune'], limit: 2 })).toEqual([4, 5, 6, 7, 8, 9].map(phone))
  })

  it('reaches every subscriber with an always-on topic, and filters by language', async () => {
    expect(await all({ snapshotId: 'b-2', topics: ['emergenze'], limit: 4 })).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map(phone))
    expect(await all({ snapshotId: 'b-3', topics: ['eventi'], languages: ['fr'], limit: 10 })).toEqual([7, 8, 9].map(phone))
    const french = (await ask({ snapshotId: 'b-3', topics: ['eventi'], languages: ['fr'], limit: 1 })) as AudiencePageReply
    expect(french.recipients[0]!.language).toBe('fr')
    expect(await all({ snapshotId: 'b-4', topics: ['eventi'], channels: ['sms'], limit: 10 })).toEqual([])
  })

  it('keeps the snapshot fixed for newcomers but leaves out who opted out since', async () => {
    const first = (await ask({ snapshotId: 'b-5', topics: ['eventi'], limit: 3 })) as AudiencePageReply
    expect(first.total).toBe(9)
    // Someone the first page did not reach yet opts out; someone new subscribes.
    const firstPhones = first.recipients.map((r) => r.phone)
    const leaving = [1, 2, 3, 4, 5, 6, 7, 8, 9].map(phone).find((p) => !firstPhones.includes(p))!
    await fx.send('gressan', { from: phone(11), text: 'MI ISCRIVO' })
    await fx.send('gressan', { from: leaving, text: 'STOP' })
    const rest: string[] = []
    let after = first.next
    while (after) {
      const page = (await ask({ snapshotId: 'b-5', topics: ['eventi'], limit: 3, after })) as AudiencePageReply
      expect(page.total).toBe(9)
      rest.push(...page.recipients.map((r) => r.phone))
      after = page.next
    }
    const seen = [...first.recipients.map((r) => r.phone), ...rest].sort()
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map(phone).filter((p) => p !== leaving))
    expect(await all({ snapshotId: 'b-6', topics: ['eventi'], limit: 50 })).toContain(phone(11))
  })

  it('materializes a snapshot once when its first pages are asked at the same time', async () => {
    const active = await fx.db
      .selectFrom('subscriber')
      .select('phone')
      .where('tenant', '=', 'gressan')
      .where('status', '=', 'active')
      .where(sql<boolean>`'info-comune' = any(topics)`)
      .execute()
    expect(active.length).toBeGreaterThanOrEqual(5)
    const pages = await Promise.all([1, 2, 3, 4].map(() => ask({ snapshotId: 'b-7', topics: ['info-comune'], limit: 100 })))
    for (const page of pages) expect(page).toMatchObject({ total: active.length })
    const members = await fx.db.selectFrom('audience_snapshot_member').select('position').where('snapshot_id', '=', 'b-7').execute()
    expect(members.map((m) => m.position).sort((a, b) => a - b)).toEqual(active.map((_, i) => i + 1))
  })

  it('answers the first page of a large audience before writing the rest down, and keeps it fixed', async () => {
    // A whole town: more subscribers than are written down at the first page.
    const count = WHOLE_SNAPSHOT_MAX + 1_500
    await sql`
      insert into subscriptions.subscriber (tenant, phone, phone_hash, language, channel, status, topics, subscribed_at, created_at, updated_at)
      select 'calcinato', '+39348' || lpad(n::text, 7, '0'), 'hmac-sha256:' || n, 'it', 'whatsapp', 'active', '{}', ${fx.now}, ${fx.now}, ${fx.now}
      from generate_series(1, ${count}) as n`.execute(fx.db)
    const askCalcinato = (after?: string) =>
      fx.nc
        .request(Subjects.audiencePage, AudiencePageRequestContract.encode({ version: 1, tenant: 'calcinato', snapshotId: 'town-1', topics: ['emergenze'], limit: 1000, ...(after ? { after } : {}) }), { timeout: 10_000 })
        .then((reply) => AudiencePageReplyContract.decode(reply.data))
    const first = await askCalcinato()
    expect(first).toMatchObject({ total: count })
    expect(first.recipients).toHaveLength(1000)
    // Someone subscribing after the snapshot was taken is not in it, however late its rest is written.
    await sql`
      insert into subscriptions.subscriber (tenant, phone, phone_hash, language, channel, status, topics, subscribed_at, created_at, updated_at)
      values ('calcinato', '+393489999999', 'hmac-sha256:late', 'it', 'whatsapp', 'active', '{}', ${new Date(fx.now.getTime() + 1000)}, ${fx.now}, ${fx.now})`.execute(fx.db)
    const phones = first.recipients.map((r) => r.phone)
    for (let next = first.next; next; ) {
      const page = await askCalcinato(next)
      expect(page.total).toBe(count)
      phones.push(...page.recipients.map((r) => r.phone))
      next = page.next
    }
    expect(phones).toHaveLength(count)
    expect(new Set(phones).size).toBe(count)
    expect(phones).not.toContain('+393489999999')
    const positions = await fx.db.selectFrom('audience_snapshot_member').select('position').where('snapshot_id', '=', 'town-1').orderBy('position').execute()
    expect(positions.map((p) => p.position)).toEqual(Array.from({ length: count }, (_, i) => i + 1))
  }, 60_000)

  it('answers bad requests with service-error headers', async () => {
    expect(await ask({ snapshotId: 'b-1', topics: ['eventi'], limit: 2 })).toMatchObject({ error: 'SNAPSHOT_MISMATCH' })
    expect(await ask({ snapshotId: 'b-8', topics: ['sport'], limit: 2 })).toMatchObject({ error: 'UNKNOWN_TOPIC' })
    expect(await ask({ snapshotId: 'b-8', topics: ['eventi'], limit: 2, tenant: 'nowhere' })).toMatchObject({ error: 'UNKNOWN_TENANT' })
    expect(await ask({ snapshotId: 'b-1', topics: ['info-comune'], limit: 2, after: 'garbage' })).toMatchObject({ error: 'BAD_CURSOR' })
    const raw = await fx.nc.request(Subjects.audiencePage, new TextEncoder().encode('{"version":1}'), { timeout: 5000 })
    expect(raw.headers?.get(ServiceErrorHeaders.code)).toBe('BAD_REQUEST')
    const beyond = (await ask({ snapshotId: 'b-1', topics: ['info-comune'], limit: 2, after: encodeCursor(1000) })) as AudiencePageReply
    expect(beyond).toEqual({ version: 1, recipients: [], total: 6 })
  })
})
