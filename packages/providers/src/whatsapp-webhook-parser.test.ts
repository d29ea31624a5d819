import { ContractViolationError } from '@banditore/contracts'
import { describe, expect, it } from 'vitest'
import { fixtureJson, fixtureText } from './fixtures/fixture-loader.js'
import { toDeliveryStatus, toInboundMessage } from './provider-events.js'
import { WebhookPayloadError } from './webhook-payload-error.js'
import { parseWhatsAppWebhook } from './whatsapp-webhook-parser.js'

const receivedAt = new Date('2025-02-12T00:43:50.000Z')
const WAMID = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA='
const CONTEXT = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA'

function single(name: string) {
  const parsed = parseWhatsAppWebhook(fixtureText(`${name}.json`), { receivedAt })
  expect(parsed.rejected).toEqual([])
  expect(parsed.messages).toHaveLength(1)
  const [event] = parsed.messages
  if (!event) throw new Error('no message')
  // Every parsed message must become a valid contract message once routed.
  expect(toInboundMessage(event, 'calcinato').tenant).toBe('calcinato')
  return event
}

describe('parseWhatsAppWebhook: citizen messages', () => {
  it('text: NFC text, E.164 sender and receiver, profile name, ids and times', () => {
    const event = single('whatsapp-text')
    expect(event.receiver).toEqual({
      channel: 'whatsapp',
      provider: 'whatsapp-cloud',
      number: '+15550783881',
      phoneNumberId: '106540352242922',
      businessAccountId: '102290129340398',
    })
    expect(event.message).toEqual({
      id: `whatsapp-cloud:${WAMID}`,
      channel: 'whatsapp',
      provider: 'whatsapp-cloud',
      providerMessageId: WAMID,
      from: '+16505551234',
      to: '+15550783881',
      profileName: 'Sheena Nelson',
      type: 'text',
      text: 'Vorrei iscrivermi agli avvisi della città',
      sentAt: '2025-02-12T00:43:44.000Z',
      receivedAt: receivedAt.toISOString(),
    })
    // The fixture spells "città" decomposed (a + U+0300); the parser composes it.
    expect(fixtureText('whatsapp-text.json')).toContain('citta\u0300')
    expect(event.message.text?.endsWith('citt\u00e0')).toBe(true)
  })

  it('interactive button_reply: title as text, id and kind, quoted message as replyTo', () => {
    const event = single('whatsapp-interactive-button-reply')
    expect(event.message).toMatchObject({
      type: 'interactive',
      text: 'Viabilità',
      interactive: { kind: 'button', id: 'topic-viabilita', title: 'Viabilità' },
      replyTo: CONTEXT,
    })
  })

  it('interactive list_reply', () => {
    expect(single('whatsapp-interactive-list-reply').message).toMatchObject({
      type: 'interactive',
      text: 'Raccolta rifiuti',
      interactive: { kind: 'list', id: 'topic-rifiuti', title: 'Raccolta rifiuti' },
      replyTo: CONTEXT,
    })
  })

  it('legacy template quick-reply button: payload as id, text as title', () => {
    expect(single('whatsapp-button').message).toMatchObject({
      type: 'interactive',
      text: 'Stop promotions',
      interactive: { kind: 'button', id: 'STOP-PROMO', title: 'Stop promotions' },
    })
  })

  it.each([
    ['whatsapp-image', 'image', { ref: '2754859441498128', mimeType: 'image/jpeg', caption: 'Buca in via Roma' }, 'Buca in via Roma'],
    [
      'whatsapp-document',
      'document',
      { ref: '1003383421387256', mimeType: 'application/pdf', caption: 'Modulo firmato', filename: 'modulo.pdf' },
      'Modulo firmato',
    ],
    ['whatsapp-audio', 'audio', { ref: '1003383421387257', mimeType: 'audio/ogg; codecs=opus' }, undefined],
    ['whatsapp-video', 'video', { ref: '1003383421387258', mimeType: 'video/mp4', caption: 'Allagamento sottopasso' }, 'Allagamento sottopasso'],
    ['whatsapp-sticker', 'sticker', { ref: '1003383421387259', mimeType: 'image/webp' }, undefined],
  ])('%s: media reference with caption as text', (name, kind, media, text) => {
    const event = single(name)
    expect(event.message.type).toBe(kind)
    expect(event.message.media).toEqual([{ kind, ...media }])
    expect(event.message.text).toBe(text)
  })

  it('location', () => {
    expect(single('whatsapp-location').message).toMatchObject({
      type: 'location',
      location: { latitude: 45.4573, longitude: 10.4135, name: 'Municipio', address: 'Piazza Vittorio Emanuele II, Calcinato' },
    })
  })

  it('reaction', () => {
    expect(single('whatsapp-reaction').message).toMatchObject({
      type: 'reaction',
      reaction: { messageId: CONTEXT, emoji: '👍' },
    })
  })

  it('contacts: names and readable numbers in extras', () => {
    const event = single('whatsapp-contacts')
    expect(event.message.type).toBe('contacts')
    expect(event.extras.contacts).toEqual([{ name: 'Kerry Fisher', phones: ['+19405551234', '+16505551234'] }])
  })

  it('unsupported (current shape) and unknown (older shape) with their errors', () => {
    const current = single('whatsapp-unsupported')
    expect(current.message.type).toBe('unsupported')
    expect(current.extras).toEqual({
      providerType: 'poll_update',
      errors: [{ code: '131051', title: 'Message type unknown', detail: 'Message type is currently not supported.' }],
    })
    const legacy = single('whatsapp-unknown-legacy')
    expect(legacy.message.type).toBe('unsupported')
    expect(legacy.extras).toEqual({
      providerType: 'unknown',
      errors: [{ code: '131051', title: 'Unsupported message type', detail: 'Message type is not currently supported' }],
    })
  })

  it('system message (number change): body as text, new number in extras, no contacts needed', () => {
    const event = single('whatsapp-system')
    expect(event.message).toMatchObject({ type: 'system', from: '+16505551234', text: expect.stringContaining('changed from') })
    expect(event.message.profileName).toBeUndefined()
    expect(event.extras.system).toEqual({ type: 'user_changed_number', newNumber: '+12195555358' })
  })
})

describe('parseWhatsAppWebhook: statuses', () => {
  function status(name: string) {
    const parsed = parseWhatsAppWebhook(fixtureJson(`${name}.json`), { receivedAt })
    expect(parsed.rejected).toEqual([])
    expect(parsed.statuses).toHaveLength(1)
    const [event] = parsed.statuses
    if (!event) throw new Error('no status')
    expect(toDeliveryStatus(event, 'calcinato').state).toBe(event.status.state)
    return event
  }

  it.each(['sent', 'delivered', 'read'] as const)('%s, with biz_opaque_callback_data as correlation', (state) => {
    const event = status(`whatsapp-status-${state}`)
    expect(event.sender.phoneNumberId).toBe('106540352242922')
    expect(event.status).toEqual({
      id: `whatsapp-cloud:${WAMID}:${state}`,
      channel: 'whatsapp',
      provider: 'whatsapp-cloud',
      providerMessageId: WAMID,
      state,
      recipient: '+16505551234',
      correlation: 'ledger-0001',
      occurredAt: '2025-02-12T00:43:44.000Z',
      receivedAt: receivedAt.toISOString(),
    })
    expect(event.errorKind).toBeUndefined()
  })

  it('failed, with the errors array mapped and classified', () => {
    const event = status('whatsapp-status-failed')
    expect(event.status.state).toBe('failed')
    expect(event.status.error).toEqual({
      code: '131050',
      title: expect.stringContaining('stop receiving marketing messages'),
      detail: expect.stringContaining('stop receiving marketing messages'),
    })
    expect(event.errorKind).toBe('permanent')
  })

  // pywa's test data (a voice message status): `played` implies the message was read.
  it('played (a voice message listened to): read, the provider state kept', () => {
    const event = status('whatsapp-status-played')
    expect(event.providerState).toBe('played')
    expect(event.sender).toMatchObject({ phoneNumberId: '1122334455667', businessAccountId: '5467539754836534' })
    expect(event.status).toEqual({
      id: 'whatsapp-cloud:wamid.xyzxyz:read',
      channel: 'whatsapp',
      provider: 'whatsapp-cloud',
      providerMessageId: 'wamid.xyzxyz',
      state: 'read',
      recipient: '+972987654321',
      occurredAt: '2023-07-15T00:20:58.000Z',
      receivedAt: receivedAt.toISOString(),
    })
  })

  // courier's test data: a `deleted` status (its recipient id is no phone number, as sent).
  it('deleted: understood as a notice, neither a delivery state nor a rejected item', () => {
    const parsed = parseWhatsAppWebhook(fixtureText('whatsapp-status-deleted.json'), { receivedAt })
    expect(parsed.rejected).toEqual([])
    expect(parsed.statuses).toEqual([])
    expect(parsed.notices).toEqual([
      {
        providerState: 'deleted',
        providerMessageId: 'external_id',
        sender: { channel: 'whatsapp', provider: 'whatsapp-cloud', number: '+250788123200', phoneNumberId: '1234567890', businessAccountId: '8856996819413533' },
      },
    ])
  })

  it('still rejects a status name Meta does not send', () => {
    const body = fixtureText('whatsapp-status-played.json').replace('"played"', '"bounced"')
    const parsed = parseWhatsAppWebhook(body, { receivedAt })
    expect(parsed.statuses).toEqual([])
    expect(parsed.rejected).toEqual([expect.objectContaining({ reason: 'status "bounced" is not a delivery state' })])
  })
})

describe('parseWhatsAppWebhook: whole webhooks', () => {
  it('reads several entries and changes in one POST, each routed by its own number', () => {
    const parsed = parseWhatsAppWebhook(fixtureText('whatsapp-multi-entry.json'), { receivedAt })
    expect(parsed.rejected).toEqual([])
    expect(parsed.messages.map((m) => [m.receiver.phoneNumberId, m.message.from, m.message.text])).toEqual([
      ['106540352242922', '+16505551234', 'ISCRIZIONE Mario Rossi'],
      ['117840291837465', '+393471234567', 'STOP'],
    ])
    expect(parsed.messages[1]?.message.profileName).toBe('Giulia Bianchi')
    expect(parsed.messages[1]?.receiver.number).toBe('+393666896922')
    expect(parsed.statuses.map((s) => [s.sender.phoneNumberId, s.status.state, s.status.correlation, s.errorKind])).toEqual([
      ['106540352242922', 'delivered', 'ledger-0002', undefined],
      ['117840291837465', 'read', 'ledger-0003', undefined],
      ['117840291837465', 'failed', 'ledger-0004', 'permanent'],
    ])
  })

  it('reports webhook-level errors (e.g. 130429)', () => {
    const parsed = parseWhatsAppWebhook(fixtureText('whatsapp-webhook-error.json'), { receivedAt })
    expect(parsed.errors).toEqual([
      {
        receiver: expect.objectContaining({ phoneNumberId: '106540352242922' }),
        error: { code: '130429', title: 'Rate limit hit', detail: expect.stringContaining('too many messages') },
      },
    ])
  })

  it('keeps unreadable items in `rejected` and still parses the rest', () => {
    const payload = fixtureJson('whatsapp-multi-entry.json') as {
      entry: Array<{ changes: Array<{ value: { messages?: unknown[]; statuses?: unknown[] } }> }>
    }
    const value = payload.entry[1]?.changes[0]?.value
    value?.messages?.push({ id: 'wamid.broken', type: 'text' })
    // A status name Meta does not send (`deleted` and `played` are understood).
    value?.statuses?.push({ id: 'wamid.x', status: 'bounced', timestamp: '1739321042', recipient_id: '393471234569' })
    const parsed = parseWhatsAppWebhook(payload, { receivedAt })
    expect(parsed.messages).toHaveLength(2)
    expect(parsed.statuses).toHaveLength(3)
    // `from` may be absent now (a username-only sender, whatsapp-webhook-bsuid.test.ts): the shape fails on its timestamp.
    expect(parsed.rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(/^message .*timestamp/),
      'status "bounced" is not a delivery state',
    ])
    expect(parsed.rejected[0]?.to).toBe('+393666896922')
  })

  it('ignores fields other than messages, saying so', () => {
    const parsed = parseWhatsAppWebhook({
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED' } }] }],
    })
    expect(parsed.messages).toEqual([])
    expect(parsed.rejected).toEqual([expect.objectContaining({ reason: 'field "message_template_status_update" is not handled' })])
  })

  it('throws a named error for bodies that are not Cloud API webhooks', () => {
    expect(() => parseWhatsAppWebhook('{nope')).toThrow(WebhookPayloadError)
    expect(() => parseWhatsAppWebhook({ object: 'page', entry: [] })).toThrow(WebhookPayloadError)
    try {
      parseWhatsAppWebhook({ object: 'whatsapp_business_account' })
      expect.unreachable('a body without entries was accepted')
    } catch (error) {
      expect((error as WebhookPayloadError).code).toBe('INVALID_WEBHOOK_PAYLOAD')
    }
  })

  it('routing to a tenant validates against the contract', () => {
    const [event] = parseWhatsAppWebhook(fixtureText('whatsapp-text.json'), { receivedAt }).messages
    if (!event) throw new Error('no message')
    expect(() => toInboundMessage(event, 'Not A Slug')).toThrow(ContractViolationError)
  })
})
