import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANCONA_TOKEN, SubscriptionsFixture } from './subscriptions-fixture.js'

// Calcinato: "ISCRIZIONE Nome Cognome" / "CANCELLAZIONE" on WhatsApp to (+39) 366 6896922;
// unidirectional (questions redirected to the municipality's contacts); misuse may lead the
// municipality to remove the user ex officio.
describe('Calcinato: sign-up with name, unidirectional, blocks and ex officio removal', () => {
  let fx: SubscriptionsFixture
  const mario = '+393331112222'
  const troll = '+393339990000'

  beforeAll(async () => {
    fx = await SubscriptionsFixture.start('2026-05-12T08:00:00Z')
  })
  afterAll(async () => {
    await fx?.close()
  })

  it('asks for the name when ISCRIZIONE comes without it, subscribing nobody', async () => {
    const message = await fx.send('calcinato', { from: mario, text: 'Iscrizione' })
    const [reply] = await fx.newReplies()
    expect(reply).toMatchObject({ id: `${message.id}:name-required`, channel: 'whatsapp' })
    expect(reply!.text).toContain('ISCRIZIONE Mario Rossi')
    expect(await fx.newChanges()).toEqual([])
    expect(await fx.ledger('calcinato', mario)).toEqual([])
  })

  it('subscribes with the name, stores it, and greets by name', async () => {
    const message = await fx.send('calcinato', { from: mario, text: 'ISCRIZIONE Mario Rossi' })
    const replies = await fx.newReplies()
    expect(replies.map((r) => r.id)).toEqual([`${message.id}:welcome`, `${message.id}:privacy`])
    expect(replies[0]!.text).toContain('iscrizione avvenuta, Mario Rossi')
    expect(replies[0]!.text).toContain('Salva questo numero in rubrica')
    expect(replies[1]!.text).toContain('Il titolare del trattamento è il Comune di Calcinato')
    expect((await fx.subscriber('calcinato', mario))!.name).toBe('Mario Rossi')
    const ledger = await fx.ledger('calcinato', mario)
    expect(ledger).toMatchObject([{ event: 'subscribed', door: 'whatsapp', evidence_text: 'ISCRIZIONE Mario Rossi' }])
    await fx.newChanges()
  })

  it('answers a question with the unidirectional notice and the municipality e-mail', async () => {
    await fx.send('calcinato', { from: mario, text: 'A che ora chiude il cimitero?' })
    const [reply] = await fx.newReplies()
    expect(reply!.text).toContain('servizio unidirezionale')
    expect(reply!.text).toContain('segreteria@comune.calcinato.bs.it')
  })

  it('blocks a sender on a moderation block verdict; their later messages are not processed', async () => {
    await fx.send('calcinato', { from: troll, text: 'ISCRIZIONE Carlo Neri' })
    await fx.newReplies()
    await fx.send('calcinato', { from: troll, text: '(insulti)' }, 'block')
    expect(await fx.newReplies()).toEqual([])
    expect((await fx.newChanges()).map((c) => c.change)).toEqual(['subscribed', 'blocked'])
    const row = await fx.subscriber('calcinato', troll)
    expect(row).toMatchObject({ blocked_by: 'moderation', status: 'active' })
    expect(row!.blocked_reason).toContain('offensive-language/insults')

    await fx.send('calcinato', { from: troll, text: 'TEMI EVENTI' })
    await fx.send('calcinato', { from: troll, text: 'perché non rispondete?' })
    expect(await fx.newReplies()).toEqual([])
    expect((await fx.subscriber('calcinato', troll))!.topics).toEqual(['info-comune', 'eventi', 'scadenze', 'viabilita'])
  })

  it('still honours and confirms CANCELLAZIONE from a blocked sender, even under a block verdict', async () => {
    const message = await fx.send('calcinato', { from: troll, text: 'CANCELLAZIONE' }, 'block')
    const [reply] = await fx.newReplies()
    expect(reply).toMatchObject({ id: `${message.id}:unsubscribed` })
    expect((await fx.subscriber('calcinato', troll))!.status).toBe('inactive')
    expect((await fx.ledger('calcinato', troll)).map((r) => r.event)).toEqual(['subscribed', 'unsubscribed'])
    expect((await fx.newChanges()).map((c) => c.change)).toEqual(['unsubscribed'])
  })

  it('lets staff remove a subscriber ex officio, recorded as a staff withdrawal with its reason', async () => {
    const response = await fx.staff('POST', '/staff/calcinato/removals', { phone: '333 111 2222', reason: 'messaggi offensivi ripetuti' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ tenant: 'calcinato', status: 'inactive', changed: true })
    expect(await fx.newReplies()).toEqual([])
    expect((await fx.newChanges()).map((c) => `${c.change}:${c.phone}`)).toEqual([`unsubscribed:${mario}`])
    const withdrawal = (await fx.ledger('calcinato', mario)).at(-1)!
    expect(withdrawal).toMatchObject({ event: 'unsubscribed', door: 'staff', actor: 'token:urp', reason: 'ex officio: messaggi offensivi ripetuti' })

    const again = await fx.staff('POST', '/staff/calcinato/removals', { phone: '+393331112222', reason: 'di nuovo' })
    expect(again.json()).toMatchObject({ changed: false })
  })

  it('lets staff block and unblock a number with a reason', async () => {
    const stranger = '+393355550000'
    const blocked = await fx.staff('POST', '/staff/calcinato/blocks', { phone: stranger, reason: 'spam commerciale' })
    expect(blocked.json()).toMatchObject({ blocked: true, changed: true, status: 'inactive' })
    await fx.send('calcinato', { from: stranger, text: 'ISCRIZIONE Anna Blu' })
    expect(await fx.newReplies()).toEqual([])
    const unblocked = await fx.staff('POST', '/staff/calcinato/unblocks', { phone: stranger })
    expect(unblocked.json()).toMatchObject({ blocked: false, changed: true })
    await fx.send('calcinato', { from: stranger, text: 'ISCRIZIONE Anna Blu' })
    expect((await fx.newReplies()).map((r) => r.id.split(':').at(-1))).toEqual(['welcome', 'privacy'])
    expect((await fx.newChanges()).map((c) => c.change)).toEqual(['blocked', 'unblocked', 'subscribed'])
    const row = await fx.subscriber('calcinato', stranger)
    expect(row).toMatchObject({ status: 'active', name: 'Anna Blu', blocked_at: null })
  })

  it('refuses staff calls without a valid token, for another tenant, or with a bad body, as problem+json', async () => {
    const cases = [
      { response: await fx.staff('POST', '/staff/calcinato/blocks', { phone: mario, reason: 'x x x' }, null), status: 401, code: 'UNAUTHENTICATED' },
      { response: await fx.staff('POST', '/staff/calcinato/blocks', { phone: mario, reason: 'x x x' }, 'not-a-token'), status: 401, code: 'UNAUTHENTICATED' },
      { response: await fx.staff('POST', '/staff/calcinato/blocks', { phone: mario, reason: 'x x x' }, ANCONA_TOKEN), status: 403, code: 'FORBIDDEN' },
      { response: await fx.staff('POST', '/staff/calcinato/blocks', { phone: mario }), status: 400, code: 'INVALID_BODY' },
      { response: await fx.staff('POST', '/staff/calcinato/blocks', { phone: 'non so', reason: 'x x x' }), status: 400, code: 'INVALID_PHONE_NUMBER' },
      { response: await fx.staff('POST', '/staff/calcinato/unblocks', { phone: '+393209876543' }), status: 404, code: 'SENDER_UNKNOWN' },
      { response: await fx.staff('POST', '/staff/nowhere/blocks', { phone: mario, reason: 'x x x' }), status: 404, code: 'TENANT_UNKNOWN' },
    ]
    for (const { response, status, code } of cases) {
      expect(response.statusCode, code).toBe(status)
      expect(response.headers['content-type']).toContain('application/problem+json')
      expect(response.json()).toMatchObject({ status, code })
    }
  })

  it('keeps a committed change in the outbox while NATS is down and publishes it when NATS is back', async () => {
    const spammer = '+393355551111'
    await fx.nats.stop()
    const blocked = await fx.staff('POST', '/staff/calcinato/blocks', { phone: spammer, reason: 'spam durante il guasto' })
    expect(blocked.statusCode).toBe(200)
    expect(await fx.db.selectFrom('outbox').select('msg_id').execute()).toHaveLength(1)
    await fx.nats.start()
    // The relay's periodic sweep publishes it once the connection is back.
    await expect.poll(async () => (await fx.db.selectFrom('outbox').select('msg_id').execute()).length, { timeout: 20_000 }).toBe(0)
    await fx.settle('calcinato')
    const changes = await fx.newChanges()
    expect(changes.map((c) => `${c.change}:${c.phone}`)).toEqual([`blocked:${spammer}`])
  })
})
