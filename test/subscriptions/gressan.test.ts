import { privacyPolicyVersion, type DeliveryStatus } from '@banditore/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SubscriptionsFixture } from './subscriptions-fixture.js'

// Gressan: "MI ISCRIVO" / "MI CANCELLO" on WhatsApp to 338 9428034, in Italian and French; topics
// EMERGENZE, INFO COMUNE, EVENTI; the policy is sent with the confirmation; not bidirectional.
describe('Gressan: Italian and French, topics, WhatsApp stop', () => {
  let fx: SubscriptionsFixture
  const lucia = '+393491230001'
  const jeanne = '+33612345678'
  const tenant = () => fx.tenants.get('gressan')!

  beforeAll(async () => {
    fx = await SubscriptionsFixture.start('2026-06-03T10:00:00Z')
  })
  afterAll(async () => {
    await fx?.close()
  })

  it('subscribes in Italian with the Italian policy', async () => {
    await fx.send('gressan', { from: lucia, text: 'Mi iscrivo' })
    const [welcome, privacy] = await fx.newReplies()
    expect(welcome!.text).toContain('Comune di Gressan: iscrizione al servizio di messaggistica WhatsApp avvenuta')
    expect(welcome!.text).toContain('Riceverai: EMERGENZE, INFO COMUNE, EVENTI')
    expect(privacy!.text).toBe(tenant().privacyPolicy.it)
    expect((await fx.ledger('gressan', lucia))[0]).toMatchObject({ language: 'it', policy_version: privacyPolicyVersion(tenant().privacyPolicy.it!) })
  })

  it("subscribes in French on JE M'INSCRIS, with the French policy, and remembers the language", async () => {
    await fx.send('gressan', { from: jeanne, text: "je m'inscris" })
    const [welcome, privacy] = await fx.newReplies()
    expect(welcome!.text).toContain('Commune de Gressan : votre inscription au service de messagerie WhatsApp est confirmée')
    expect(welcome!.text).toContain('Vous recevrez : URGENCES, INFO COMMUNE, ÉVÉNEMENTS')
    expect(privacy!.text).toBe(tenant().privacyPolicy.fr)
    expect((await fx.subscriber('gressan', jeanne))!.language).toBe('fr')
    expect((await fx.ledger('gressan', jeanne))[0]).toMatchObject({ language: 'fr', policy_version: privacyPolicyVersion(tenant().privacyPolicy.fr!) })
    expect((await fx.newChanges()).map((c) => `${c.change}:${c.language}`)).toEqual(['subscribed:it', 'subscribed:fr'])
  })

  it('answers topic choices and questions in the subscriber language', async () => {
    await fx.send('gressan', { from: jeanne, text: 'THÈMES ÉVÉNEMENTS' })
    const [topics] = await fx.newReplies()
    expect(topics!.text).toBe('Commune de Gressan : thèmes mis à jour. Vous recevrez : URGENCES, ÉVÉNEMENTS. Les urgences sont toujours envoyées.')
    await fx.send('gressan', { from: jeanne, text: 'Est-ce que la piscine est ouverte ?' })
    const [auto] = await fx.newReplies()
    expect(auto!.text).toContain("ce service WhatsApp n'est pas bidirectionnel")
    expect(auto!.text).toContain('site : https://www.comune.gressan.ao.it')
    await fx.send('gressan', { from: lucia, text: 'TEMI EVENTI SPORT' })
    const [help] = await fx.newReplies()
    expect(help!.text).toContain('i temi disponibili sono EMERGENZE, INFO COMUNE, EVENTI')
    expect((await fx.newChanges()).map((c) => `${c.change}:${c.topics?.join('+')}`)).toEqual(['topics-changed:emergenze+eventi'])
  })

  it('switches the subscriber language when a command comes in the other language', async () => {
    await fx.send('gressan', { from: lucia, text: 'thèmes info commune' })
    const [reply] = await fx.newReplies()
    expect(reply!.text).toContain('Vous recevrez : URGENCES, INFO COMMUNE')
    expect((await fx.newChanges()).map((c) => `${c.change}:${c.language}`)).toEqual(['topics-changed:it', 'language-changed:fr'])
  })

  it('carries out a command made only of keywords even when moderation deletes it', async () => {
    // A statistical rule can misread "INFO COMMUNE" as an insult: the keywords say nothing to remove.
    await fx.send('gressan', { from: lucia, text: 'TEMI EVENTI' }, 'delete')
    const [reply] = await fx.newReplies()
    expect(reply!.text).toContain('temi aggiornati')
    expect((await fx.subscriber('gressan', lucia))!.topics).toEqual(['eventi'])
    expect((await fx.newChanges()).map((c) => c.change)).toContain('topics-changed')
  })

  it('drops a message moderation deletes, but never an unsubscribe', async () => {
    await fx.send('gressan', { from: lucia, text: '(spam)' }, 'delete')
    expect(await fx.newReplies()).toEqual([])
    const message = await fx.send('gressan', { from: lucia, text: 'MI CANCELLO' }, 'delete')
    const [reply] = await fx.newReplies()
    expect(reply).toMatchObject({ id: `${message.id}:unsubscribed` })
    expect(reply!.text).toContain('Comune di Gressan: sei stato rimosso dalle liste WhatsApp')
    expect((await fx.subscriber('gressan', lucia))!.status).toBe('inactive')
  })

  it('re-subscribes after an unsubscribe, with a new consent record', async () => {
    await fx.send('gressan', { from: lucia, text: 'MI ISCRIVO' })
    expect((await fx.newReplies()).map((r) => r.id.split(':').at(-1))).toEqual(['welcome', 'privacy'])
    expect((await fx.ledger('gressan', lucia)).map((r) => r.event)).toEqual(['subscribed', 'unsubscribed', 'subscribed'])
    expect((await fx.newChanges()).map((c) => c.change)).toEqual(['unsubscribed', 'subscribed'])
  })

  it('marks a subscriber who stopped the business on WhatsApp (131050) and resumes on a new sign-up', async () => {
    const status = (state: DeliveryStatus['state'], code?: string): DeliveryStatus => ({
      version: 1,
      id: `whatsapp-cloud:wamid.out1:${state}:${code ?? ''}`,
      tenant: 'gressan',
      channel: 'whatsapp',
      provider: 'whatsapp-cloud',
      providerMessageId: 'wamid.out1',
      state,
      recipient: jeanne,
      ...(code ? { error: { code, title: 'User stopped marketing messages' } } : {}),
      occurredAt: fx.now.toISOString(),
      receivedAt: fx.now.toISOString(),
    })
    await fx.status(status('delivered'))
    await fx.status(status('failed', '131026'))
    expect(await fx.newChanges()).toEqual([])
    await fx.status(status('failed', '131050'))
    const [stopped] = await fx.newChanges()
    expect(stopped).toMatchObject({ change: 'whatsapp-stopped', phone: jeanne, channel: 'whatsapp' })
    expect((await fx.subscriber('gressan', jeanne))!.channel_stopped_code).toBe('131050')

    await fx.send('gressan', { from: jeanne, text: "JE M'INSCRIS" })
    const [already] = await fx.newReplies()
    expect(already!.text).toContain('vous êtes déjà inscrit')
    expect((await fx.newChanges()).map((c) => c.change)).toEqual(['subscribed'])
    expect((await fx.subscriber('gressan', jeanne))!.channel_stopped_at).toBeNull()
  })
})
