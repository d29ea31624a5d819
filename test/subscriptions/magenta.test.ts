import { privacyPolicyVersion } from '@banditore/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SubscriptionsFixture } from './subscriptions-fixture.js'

// Magenta: sign-up only through the link on the institutional website (the web form, double
// opt-in here); unidirectional, enabled only for sending; cancellation at any time.
describe('Magenta: web sign-up with double opt-in on WhatsApp, unidirectional', () => {
  let fx: SubscriptionsFixture
  const citizen = '+393385556677'
  const policy = () => fx.tenants.get('magenta')!.privacyPolicy.it!
  const form = (topics: string[]) => ({ kind: 'signup', name: 'Elena Galli', topics, policyVersion: privacyPolicyVersion(policy()), consent: true, language: 'it' })

  beforeAll(async () => {
    fx = await SubscriptionsFixture.start('2026-09-15T07:00:00Z')
  })
  afterAll(async () => {
    await fx?.close()
  })

  it('points a WhatsApp "ISCRIVIMI" to the website form instead of subscribing', async () => {
    const message = await fx.send('magenta', { from: citizen, text: 'Iscrivimi' })
    const [reply] = await fx.newReplies()
    expect(reply).toMatchObject({ id: `${message.id}:signup-how-to` })
    expect(reply!.text).toContain('registrati con il modulo pubblicato sul sito istituzionale')
    expect(await fx.newChanges()).toEqual([])
  })

  it('asks a web sign-up to confirm on WhatsApp (no SMS gateway), then subscribes on SI with the chosen topics', async () => {
    const submitted = await fx.send('magenta', { from: citizen, channel: 'web', form: form(['scadenze']) })
    const [request] = await fx.newReplies()
    expect(request).toMatchObject({ id: `${submitted.id}:confirmation-request`, channel: 'whatsapp', to: citizen })
    // Business-initiated: no window is open, the worker needs a template to deliver it.
    expect(request!.lastInboundAt).toBeUndefined()
    expect(request!.text).toContain('rispondi SI entro 24 ore')

    fx.advanceHours(1)
    const answer = await fx.send('magenta', { from: citizen, text: 'si' })
    const [welcome, privacy] = await fx.newReplies()
    expect(welcome).toMatchObject({ id: `${answer.id}:welcome`, channel: 'whatsapp', lastInboundAt: answer.receivedAt })
    expect(welcome!.text).toContain('Riceverai informazioni istituzionali, di pubblica utilità e di interesse generale: EMERGENZE, SCADENZE')
    expect(privacy!.text).toBe(policy())
    expect((await fx.newChanges())).toMatchObject([{ change: 'subscribed', topics: ['emergenze', 'scadenze'], channel: 'whatsapp' }])
    const ledger = await fx.ledger('magenta', citizen)
    expect(ledger.map((r) => `${r.event}/${r.door}/${r.policy_version === privacyPolicyVersion(policy())}`)).toEqual([
      'signup-requested/web/true',
      'subscribed/web/true',
    ])
  })

  it('answers any other message with the unidirectional notice and the press office address', async () => {
    await fx.send('magenta', { from: citizen, text: 'Quando passa la raccolta del vetro?' })
    const [reply] = await fx.newReplies()
    expect(reply!.text).toContain('abilitato al solo invio di messaggi e non alla ricezione')
    expect(reply!.text).toContain('ufficio.stampa@comune.magenta.mi.it')
  })

  it('unsubscribes on CANCELLAMI; a second form and CONFERMO subscribe again', async () => {
    await fx.send('magenta', { from: citizen, text: 'cancellami' })
    expect((await fx.newReplies())[0]!.text).toContain('cancellazione dal canale WhatsApp eseguita')
    fx.advanceHours(30)
    await fx.send('magenta', { from: citizen, channel: 'web', form: form([]) })
    await fx.newReplies()
    await fx.send('magenta', { from: citizen, text: 'Confermo.' })
    expect((await fx.newReplies()).map((r) => r.id.split(':').at(-1))).toEqual(['welcome', 'privacy'])
    expect((await fx.newChanges()).map((c) => `${c.change}:${c.topics?.join('+')}`)).toEqual(['unsubscribed:emergenze+scadenze', 'subscribed:emergenze'])
    expect((await fx.ledger('magenta', citizen)).map((r) => r.event)).toEqual(['signup-requested', 'subscribed', 'unsubscribed', 'signup-requested', 'subscribed'])
  })

  it('withdraws a sign-up still waiting for confirmation when the number opts out', async () => {
    const other = '+393385550000'
    await fx.send('magenta', { from: other, channel: 'web', form: form(['eventi']) })
    await fx.newReplies()
    await fx.send('magenta', { from: other, text: 'STOP' })
    const [reply] = await fx.newReplies()
    expect(reply!.id).toMatch(/:unsubscribed$/)
    await fx.send('magenta', { from: other, text: 'SI' })
    expect((await fx.newReplies()).map((r) => r.id.split(':').at(-1))).toEqual(['auto-reply'])
    expect((await fx.ledger('magenta', other)).map((r) => r.event)).toEqual(['signup-requested', 'unsubscribed'])
    expect((await fx.subscriber('magenta', other))!.status).toBe('inactive')
  })
})
