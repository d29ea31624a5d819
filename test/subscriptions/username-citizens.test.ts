import { hashApiTokenSecret, openStaffApiTokenBucket, putStaffApiToken } from '@banditore/platform'
import type { RecordedMessage } from '@banditore/provider-simulator'
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWorld, waitUntil, type World } from '../harness/index.js'

const PRIVACY = 'bnd_username-citizens-privacy-officer-0123456789'

/**
 * Issue #16: WhatsApp usernames. A citizen who adopted a username writes with no number, only
 * their business-scoped user id (BSUID): the real path, in-process, the simulator playing their
 * phone → ingest → moderation → subscriptions → the worker's reply sender (sending to the BSUID
 * as Meta's `recipient`) → the simulator. They subscribe by keyword, get the welcome, unsubscribe,
 * and are exported and erased as a phone citizen is. A citizen whose messages carried number and
 * BSUID stays one subscriber when they later write username-only.
 */
describe('WhatsApp username-only citizens (BSUID)', () => {
  let world: World
  let db: Kysely<Record<string, never>>
  const sim = () => world.simulator!.running!
  const inbox = (address: string) => sim().messages({ to: address })
  const next = async (address: string, seen: number, what: string, accept: (m: RecordedMessage) => boolean = () => true) =>
    await waitUntil(() => inbox(address).slice(seen).find(accept), { timeoutMs: 60_000, what })
  const subscribers = async (tenant: string) =>
    (
      await sql<{ phone: string; bsuid: string | null; status: string }>`
        select phone, bsuid, status from subscriptions.subscriber where tenant = ${tenant} order by created_at`.execute(db)
    ).rows
  const whatsapp = async (tenant: string, citizen: { from?: string; fromUserId?: string }, text: string) => {
    const to = world.tenants.get(tenant)!.channels.whatsapp!.number
    const injected = await sim().injectWhatsApp({ to, ...citizen, profileName: 'Kerry', text })
    expect(injected.delivery).toMatchObject({ ok: true })
  }
  const staff = async (path: string, body: unknown) => {
    const response = await fetch(`${world.url('subscriptions')}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PRIVACY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }

  beforeAll(async () => {
    world = await startWorld({ services: ['worker', 'ingest', 'moderation', 'subscriptions'] })
    db = world.openDatabase({ applicationName: 'username-citizens-test' })
    const tokens = await openStaffApiTokenBucket(world.nc)
    await putStaffApiToken(tokens, hashApiTokenSecret(PRIVACY), { id: 't-privacy', tenant: 'gressan', role: 'privacy-officer', holder: 'dpo-gressan', label: 'DPO' })
  }, 240_000)
  afterAll(async () => {
    await world?.stop()
  }, 60_000)

  it('subscribes, gets the welcome at its BSUID, unsubscribes, is exported and erased', async () => {
    const bsuid = 'IT.13491208655302741918'
    await whatsapp('gressan', { fromUserId: bsuid }, 'MI ISCRIVO')
    const welcome = await next(bsuid, 0, 'the welcome', (m) => m.text?.startsWith('Comune di Gressan: iscrizione') ?? false)
    expect(welcome).toMatchObject({ provider: 'whatsapp-cloud', to: bsuid, pricingType: 'free_customer_service' })
    await expect.poll(async () => await subscribers('gressan'), { timeout: 30_000 }).toEqual([{ phone: bsuid, bsuid, status: 'active' }])

    const seen = inbox(bsuid).length
    await whatsapp('gressan', { fromUserId: bsuid }, 'MI CANCELLO')
    await next(bsuid, seen, 'the unsubscribe confirmation', (m) => m.text?.includes('sei stato rimosso') ?? false)
    await expect.poll(async () => (await subscribers('gressan'))[0]?.status, { timeout: 30_000 }).toBe('inactive')

    // The privacy officer asks by the BSUID: the export has the subscriber and every service answered.
    const exported = await staff('/staff/gressan/privacy/export', { phone: bsuid })
    expect(exported.status).toBe(200)
    expect(exported.body).toMatchObject({ phone: bsuid, subscriber: { phone: bsuid, bsuid } })
    expect((exported.body.consentLedger as unknown[]).length).toBeGreaterThanOrEqual(2)

    const erased = await staff('/staff/gressan/privacy/erasure', { phone: bsuid, reason: 'richiesta art. 17' })
    expect(erased).toMatchObject({ status: 200, body: { subscriberDeleted: true } })
    await expect.poll(async () => await subscribers('gressan'), { timeout: 30_000 }).toEqual([])
  }, 180_000)

  it('a citizen known by number and BSUID, writing later username-only, is the same subscriber', async () => {
    const phone = '+393491230202'
    const bsuid = 'IT.55501234567890'
    await whatsapp('gressan', { from: phone, fromUserId: bsuid }, 'MI ISCRIVO')
    await next(phone, 0, 'the welcome', (m) => m.text?.startsWith('Comune di Gressan: iscrizione') ?? false)
    await expect.poll(async () => await subscribers('gressan'), { timeout: 30_000 }).toEqual([{ phone, bsuid, status: 'active' }])

    // Username-only now: the same subscriber (already subscribed), answered at the number.
    const seen = inbox(phone).length
    await whatsapp('gressan', { fromUserId: bsuid }, 'MI ISCRIVO')
    await next(phone, seen, 'the already-subscribed answer', (m) => m.text?.includes('sei già iscritto') ?? false)
    expect(inbox(bsuid)).toEqual([])
    await whatsapp('gressan', { fromUserId: bsuid }, 'MI CANCELLO')
    await next(phone, seen, 'the unsubscribe confirmation', (m) => m.text?.includes('sei stato rimosso') ?? false)
    await expect.poll(async () => await subscribers('gressan'), { timeout: 30_000 }).toEqual([{ phone, bsuid, status: 'inactive' }])
  }, 180_000)
})
