import type { RecordedMessage } from '@banditore/provider-simulator'
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWorld, waitUntil, type World } from '../harness/index.js'

interface ListRow {
  id: string
  title: string
  description?: string
}
interface SentList {
  type: 'list'
  header?: { type: string; text: string }
  body: { text: string }
  footer?: { text: string }
  action: { button: string; sections: Array<{ rows: ListRow[] }> }
}

/**
 * Issue #16: the topic menu. The real path, every part in-process: the simulator (the citizens'
 * phones) → ingest → moderation → subscriptions → the worker's reply sender → the simulator. A
 * WhatsApp citizen who sends the topics keyword alone gets an interactive list, answers it by
 * tapping a row, and their topics change as the keyword would change them; an SMS citizen gets
 * the text answer.
 */
describe('topic menu: WhatsApp interactive list, SMS text', () => {
  let world: World
  let db: Kysely<Record<string, never>>
  const sim = () => world.simulator!.running!
  const inbox = (phone: string) => sim().messages({ to: phone })

  /** The next message to `phone` after the first `seen`, matching `accept`. */
  const next = async (phone: string, seen: number, what: string, accept: (m: RecordedMessage) => boolean = () => true) =>
    await waitUntil(() => inbox(phone).slice(seen).find(accept), { timeoutMs: 60_000, what })

  const topicsOf = async (tenant: string, phone: string) => {
    const { rows } = await sql<{ topics: string[]; change_seq: number }>`
      select topics, change_seq from subscriptions.subscriber where tenant = ${tenant} and phone = ${phone}`.execute(db)
    return rows[0]
  }

  beforeAll(async () => {
    world = await startWorld({ services: ['worker', 'ingest', 'moderation', 'subscriptions'] })
    db = world.openDatabase({ applicationName: 'interactive-topics-test' })
  }, 240_000)
  afterAll(async () => {
    await world?.stop()
  }, 60_000)

  const whatsapp = async (tenant: string, from: string, body: { text?: string; reply?: { id: string } }) => {
    const to = world.tenants.get(tenant)!.channels.whatsapp!.number
    const injected = await sim().injectWhatsApp({ to, from, ...body })
    expect(injected.delivery).toMatchObject({ ok: true })
  }

  it('Gressan in Italian: MI ISCRIVO, TEMI → the list; a tapped row changes the topics', async () => {
    const phone = '+393491230101'
    await whatsapp('gressan', phone, { text: 'MI ISCRIVO' })
    await next(phone, 0, 'the welcome', (m) => m.text?.startsWith('Comune di Gressan: iscrizione') ?? false)
    await next(phone, 0, 'the privacy notice', (m) => m.text === world.tenants.get('gressan')!.privacyPolicy.it)
    expect((await topicsOf('gressan', phone))?.topics).toEqual(['info-comune', 'eventi'])

    const seen = inbox(phone).length
    await whatsapp('gressan', phone, { text: 'TEMI' })
    const menu = await next(phone, seen, 'the topic menu')
    expect(menu).toMatchObject({ provider: 'whatsapp-cloud', type: 'interactive', pricingType: 'free_customer_service' })
    const list = menu.interactive as unknown as SentList
    // The text form travels with it but is not sent as well.
    expect(inbox(phone).slice(seen)).toHaveLength(1)
    expect(list).toMatchObject({
      type: 'list',
      header: { type: 'text', text: 'Comune di Gressan' },
      body: { text: expect.stringContaining('Scegli dal menu i temi che vuoi ricevere') },
      footer: { text: 'Sempre inclusi: EMERGENZE' },
      action: { button: 'Scegli i temi' },
    })
    expect(list.action.sections.flatMap((s) => s.rows)).toEqual([
      { id: 'topics:all', title: 'Tutti i temi', description: 'INFO COMUNE, EVENTI' },
      { id: 'topics:info-comune', title: 'INFO COMUNE', description: 'Solo questo tema' },
      { id: 'topics:eventi', title: 'EVENTI', description: 'Solo questo tema' },
    ])

    const before = await topicsOf('gressan', phone)
    const afterMenu = inbox(phone).length
    await whatsapp('gressan', phone, { reply: { id: 'topics:eventi' } })
    const confirmation = await next(phone, afterMenu, 'the topics-changed confirmation', (m) => m.type === 'text')
    expect(confirmation.text).toBe('Comune di Gressan: temi aggiornati. Riceverai: EMERGENZE, EVENTI. Le emergenze arrivano sempre.')
    const after = await topicsOf('gressan', phone)
    expect(after?.topics).toEqual(['eventi'])
    // Changed through the command path: one more change (and its SubscriptionChanged event).
    expect(after!.change_seq).toBeGreaterThan(before!.change_seq)
  }, 120_000)

  it("Gressan in French: JE M'INSCRIS, THÈMES → the list in French; « Tous les thèmes »", async () => {
    const phone = '+33612340102'
    await whatsapp('gressan', phone, { text: "JE M'INSCRIS" })
    await next(phone, 0, 'the welcome', (m) => m.text?.startsWith('Commune de Gressan : votre inscription') ?? false)
    await next(phone, 0, 'the privacy notice', (m) => m.text === world.tenants.get('gressan')!.privacyPolicy.fr)
    await whatsapp('gressan', phone, { text: 'THÈMES EVENEMENTS' })
    await next(phone, 0, 'the topics-changed confirmation', (m) => m.text?.includes('thèmes mis à jour') ?? false)
    expect((await topicsOf('gressan', phone))?.topics).toEqual(['eventi'])

    const seen = inbox(phone).length
    await whatsapp('gressan', phone, { text: 'THÈMES' })
    const menu = await next(phone, seen, 'the French topic menu')
    const list = menu.interactive as unknown as SentList
    expect(list).toMatchObject({ action: { button: 'Choisir les thèmes' }, footer: { text: 'Toujours inclus : URGENCES' } })
    expect(list.body.text).toContain('Choisissez dans le menu')
    expect(list.action.sections.flatMap((s) => s.rows).map((r) => [r.id, r.title])).toEqual([
      ['topics:all', 'Tous les thèmes'],
      ['topics:info-comune', 'INFO COMMUNE'],
      ['topics:eventi', 'ÉVÉNEMENTS'],
    ])
    const afterMenu = inbox(phone).length
    await whatsapp('gressan', phone, { reply: { id: 'topics:all' } })
    const confirmation = await next(phone, afterMenu, 'the confirmation', (m) => m.type === 'text')
    expect(confirmation.text).toContain('Vous recevrez : URGENCES, INFO COMMUNE, ÉVÉNEMENTS')
    expect((await topicsOf('gressan', phone))?.topics).toEqual(['info-comune', 'eventi'])
  }, 120_000)

  it('Corbetta by SMS: TEMI gets the text list, never an interactive message', async () => {
    const phone = '+393491230103'
    const corbetta = world.tenants.get('corbetta')!
    const sms = async (body: string) => {
      const injected = await sim().injectSms({ to: corbetta.channels.sms!.number, from: phone, body })
      expect(injected.delivery).toMatchObject({ ok: true })
    }
    await sms('ADD WA')
    await next(phone, 0, 'the welcome', (m) => m.text?.startsWith('Comune di Corbetta') ?? false)
    await next(phone, 0, 'the privacy notice', (m) => m.text === corbetta.privacyPolicy.it)
    const seen = inbox(phone).length
    await sms('TEMI')
    const help = await next(phone, seen, 'the topics help', (m) => m.text?.includes('i temi disponibili') ?? false)
    expect(help).toMatchObject({ provider: 'sms-gateway', type: 'sms' })
    expect(help.text).toBe('Comune di Corbetta: i temi disponibili sono EMERGENZE, INFO COMUNE, EVENTI. Invia ad esempio TEMI EVENTI INFO COMUNE.')
    expect(inbox(phone).filter((m) => m.type === 'interactive')).toEqual([])
  }, 120_000)
})
