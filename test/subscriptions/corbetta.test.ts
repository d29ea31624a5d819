import { privacyPolicyVersion } from '@banditore/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SubscriptionsFixture } from './subscriptions-fixture.js'

// Corbetta: "ADD WA" / "DEL WA" by SMS to 3667760789 subscribes the number to the WhatsApp
// channel; the sign-up form (web, or paper at the URP office) also subscribes; questions are
// redirected to the online reports service.
describe('Corbetta: SMS keywords to a WhatsApp channel, web and paper forms', () => {
  let fx: SubscriptionsFixture
  const citizen = '+393471112233'
  const tenant = () => fx.tenants.get('corbetta')!
  const policy = () => tenant().privacyPolicy.it!

  beforeAll(async () => {
    fx = await SubscriptionsFixture.start('2026-03-10T09:30:00Z')
  })
  afterAll(async () => {
    await fx?.close()
  })

  it('subscribes on "ADD WA" by SMS, answers by SMS with the welcome and the privacy notice, records the consent', async () => {
    const message = await fx.send('corbetta', { from: citizen, channel: 'sms', text: 'add wa' })
    const replies = await fx.newReplies()
    expect(replies.map((r) => r.id)).toEqual([`${message.id}:welcome`, `${message.id}:privacy`])
    expect(replies[0]).toMatchObject({ tenant: 'corbetta', channel: 'sms', to: citizen, inReplyTo: message.id, lastInboundAt: message.receivedAt })
    expect(replies[0]!.text).toContain('iscrizione al canale WhatsApp completata')
    expect(replies[0]!.text).toContain('TEMI')
    expect(replies[1]!.text).toBe(policy())

    const [changed] = await fx.newChanges()
    expect(changed).toMatchObject({ change: 'subscribed', channel: 'whatsapp', phone: citizen, topics: ['emergenze', 'info-comune', 'eventi'], language: 'it' })

    const ledger = await fx.ledger('corbetta', citizen)
    expect(ledger).toHaveLength(1)
    expect(ledger[0]).toMatchObject({
      event: 'subscribed',
      door: 'sms',
      delivery_channel: 'whatsapp',
      evidence_text: 'add wa',
      language: 'it',
      policy_version: privacyPolicyVersion(policy()),
      inbound_message_id: message.id,
      confirmation_message_id: `${message.id}:welcome`,
      actor: 'citizen',
    })
    expect(ledger[0]!.phone_hash).toMatch(/^hmac-sha256:[0-9a-f]{64}$/)
  })

  it('handles a redelivered verdict once', async () => {
    const neighbour = '+393471110000'
    const message = fx.message('corbetta', { from: neighbour, channel: 'sms', text: 'ADD WA' })
    await fx.verdict(message, 'allow', `${message.id}#1`)
    await fx.verdict(message, 'allow', `${message.id}#2`)
    const replies = await fx.newReplies()
    expect(replies.map((r) => r.id)).toEqual([`${message.id}:welcome`, `${message.id}:privacy`])
    expect((await fx.newChanges()).map((c) => c.change)).toEqual(['subscribed'])
    expect(await fx.ledger('corbetta', neighbour)).toHaveLength(1)
  })

  it('answers a question with the reports link, at most once per 24 hours', async () => {
    await fx.send('corbetta', { from: citizen, channel: 'sms', text: 'Quando riapre la biblioteca?' })
    const [reply] = await fx.newReplies()
    expect(reply!.text).toContain('https://servizionline.comune.corbetta.mi.it/home/segnalazioni.aspx')
    fx.advanceHours(2)
    await fx.send('corbetta', { from: citizen, channel: 'sms', text: 'E il sabato?' })
    expect(await fx.newReplies()).toEqual([])
    fx.advanceHours(23)
    await fx.send('corbetta', { from: citizen, channel: 'sms', text: 'Grazie' })
    expect((await fx.newReplies()).map((r) => r.id.endsWith(':auto-reply'))).toEqual([true])
  })

  it('changes topics with "TEMI EVENTI"; emergencies stay on', async () => {
    await fx.send('corbetta', { from: citizen, channel: 'sms', text: 'Temi: eventi' })
    const [reply] = await fx.newReplies()
    expect(reply!.text).toContain('Riceverai: EMERGENZE, EVENTI')
    const [changed] = await fx.newChanges()
    expect(changed).toMatchObject({ change: 'topics-changed', topics: ['emergenze', 'eventi'] })
    expect((await fx.subscriber('corbetta', citizen))!.topics).toEqual(['eventi'])
  })

  it('unsubscribes on "DEL WA", confirms it, and records the withdrawal with the policy consented to', async () => {
    const message = await fx.send('corbetta', { from: citizen, channel: 'sms', text: 'DEL WA' })
    const [reply] = await fx.newReplies()
    expect(reply).toMatchObject({ id: `${message.id}:unsubscribed`, channel: 'sms' })
    expect(reply!.text).toContain('cancellazione dal canale WhatsApp eseguita')
    expect((await fx.newChanges()).map((c) => c.change)).toEqual(['unsubscribed'])
    const ledger = await fx.ledger('corbetta', citizen)
    expect(ledger.map((r) => r.event)).toEqual(['subscribed', 'unsubscribed'])
    expect(ledger[1]).toMatchObject({ door: 'sms', evidence_text: 'DEL WA', policy_version: privacyPolicyVersion(policy()), reason: 'keyword' })
  })

  it('subscribes again, then honours the gateway word STOP without a reply (the gateway confirms it)', async () => {
    await fx.send('corbetta', { from: citizen, channel: 'sms', text: 'ADD WA' })
    expect((await fx.newReplies()).map((r) => r.id.split(':').at(-1))).toEqual(['welcome', 'privacy'])
    expect((await fx.subscriber('corbetta', citizen))!.topics).toEqual(['info-comune', 'eventi'])
    await fx.send('corbetta', { from: citizen, channel: 'sms', text: 'STOP' })
    expect(await fx.newReplies()).toEqual([])
    expect((await fx.subscriber('corbetta', citizen))!.status).toBe('inactive')
    const ledger = await fx.ledger('corbetta', citizen)
    expect(ledger.map((r) => `${r.event}:${r.reason ?? ''}`)).toEqual(['subscribed:', 'unsubscribed:keyword', 'subscribed:', 'unsubscribed:opt-out word'])
    expect(ledger[3]!.confirmation_message_id).toBeNull()
    await fx.newChanges()
  })

  it('web form: asks for confirmation by SMS and subscribes only when the citizen answers SI', async () => {
    const other = '+393489998877'
    const form = { kind: 'signup', name: 'Giulia Bianchi', topics: ['eventi'], policyVersion: privacyPolicyVersion(policy()), consent: true, language: 'it' }
    const submitted = await fx.send('corbetta', { from: other, channel: 'web', form })
    const [request] = await fx.newReplies()
    expect(request).toMatchObject({ id: `${submitted.id}:confirmation-request`, channel: 'sms', to: other })
    expect(request!.lastInboundAt).toBeUndefined()
    expect(request!.text).toContain('rispondi SI entro 48 ore')
    expect(await fx.newChanges()).toEqual([])
    expect((await fx.subscriber('corbetta', other))!.status).toBe('inactive')

    fx.advanceHours(3)
    const answer = await fx.send('corbetta', { from: other, channel: 'sms', text: 'Sì!' })
    const replies = await fx.newReplies()
    expect(replies.map((r) => r.id)).toEqual([`${answer.id}:welcome`, `${answer.id}:privacy`])
    const [changed] = await fx.newChanges()
    expect(changed).toMatchObject({ change: 'subscribed', channel: 'whatsapp', topics: ['emergenze', 'eventi'] })
    expect((await fx.subscriber('corbetta', other))!.name).toBe('Giulia Bianchi')

    const ledger = await fx.ledger('corbetta', other)
    expect(ledger.map((r) => `${r.event}/${r.door}`)).toEqual(['signup-requested/web', 'subscribed/web'])
    expect(ledger[0]).toMatchObject({ evidence_form: form, confirmation_message_id: `${submitted.id}:confirmation-request`, policy_version: form.policyVersion })
    expect(ledger[1]).toMatchObject({ evidence_text: 'Sì!', policy_version: form.policyVersion, inbound_message_id: answer.id })
    expect(ledger[1]!.evidence_form).toMatchObject({ form, formMessageId: submitted.id, answer: 'Sì!', answerChannel: 'sms' })
  })

  it('paper form: an answer after the validity period subscribes nobody', async () => {
    const late = '+393401234000'
    const form = {
      kind: 'paper-signup',
      name: 'Paolo Verdi',
      topics: [],
      policyVersion: privacyPolicyVersion(policy()),
      consent: true,
      language: 'it',
      operator: 'urp-anna',
      formReference: 'PROT-2026-0042',
      signedAt: '2026-03-09',
      enteredAt: fx.now.toISOString(),
    }
    await fx.send('corbetta', { from: late, channel: 'paper', form })
    expect((await fx.newReplies()).map((r) => r.channel)).toEqual(['sms'])
    fx.advanceHours(49)
    await fx.send('corbetta', { from: late, channel: 'sms', text: 'SI' })
    const replies = await fx.newReplies()
    expect(replies.map((r) => r.id.split(':').at(-1))).toEqual(['auto-reply'])
    expect((await fx.subscriber('corbetta', late))!.status).toBe('inactive')
    expect((await fx.ledger('corbetta', late)).map((r) => `${r.event}/${r.door}`)).toEqual(['signup-requested/paper'])
  })

  it('refuses a form that breaks its contract, sending nothing', async () => {
    const number = '+393401234111'
    await fx.send('corbetta', { from: number, channel: 'web', form: { kind: 'signup', name: 'X', topics: [], consent: false, language: 'it' } })
    await fx.send('corbetta', { from: number, channel: 'web', form: { kind: 'paper-signup', name: 'X' } })
    expect(await fx.newReplies()).toEqual([])
    expect(await fx.ledger('corbetta', number)).toEqual([])
  })

  it('never logs a phone number or a message text', () => {
    const text = fx.logs.text()
    expect(text).toContain('verdict handled')
    expect(text).not.toContain(citizen)
    expect(text).not.toContain('biblioteca')
  })
})
