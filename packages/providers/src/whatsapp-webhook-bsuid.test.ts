// Username-only and BSUID-carrying WhatsApp webhooks (issue #16), on real payloads from the
// conformance corpus (../shared/conformance/providers: courier and pywa test data, copied into
// fixtures/ verbatim under `conformance-whatsapp-*`).
import { describe, expect, it } from 'vitest'
import { fixtureJson } from './fixtures/fixture-loader.js'
import { toDeliveryStatus, toInboundMessage } from './provider-events.js'
import { parseWhatsAppWebhook } from './whatsapp-webhook-parser.js'

const parse = (name: string) => parseWhatsAppWebhook(fixtureJson(`conformance-whatsapp-${name}.json`), { receivedAt: new Date('2026-12-16T08:00:00Z') })

describe('parseWhatsAppWebhook: business-scoped user ids (BSUID)', () => {
  it('a username-only sender (no `from`): a message addressed by its BSUID, profile name kept', () => {
    const parsed = parse('courier-bsuid-only')
    expect(parsed.rejected).toEqual([])
    expect(parsed.messages).toHaveLength(1)
    const event = parsed.messages[0]!
    expect(event.message).toMatchObject({ from: 'US.1234', fromUserId: 'US.1234', type: 'text', text: 'Hello World', profileName: 'Kerry Fisher' })
    const message = toInboundMessage(event, 'corbetta')
    expect(message.from).toBe('US.1234')
    expect(message.fromUserId).toBe('US.1234')
  })

  it('a sender with both number and BSUID: the number is the address, the BSUID beside it', () => {
    const parsed = parse('pywa-quick-reply-with-from-user-id')
    expect(parsed.rejected).toEqual([])
    const message = toInboundMessage(parsed.messages[0]!, 'corbetta')
    expect(message).toMatchObject({ from: '+972987654321', fromUserId: 'US.13491208655302741918', type: 'interactive' })
    expect(message.interactive).toEqual({ kind: 'button', id: 'callback_data', title: 'title' })
  })

  it('customer_identity_changed: a system message carrying its type', () => {
    const parsed = parse('pywa-system-identity-change')
    expect(parsed.rejected).toEqual([])
    const message = toInboundMessage(parsed.messages[0]!, 'corbetta')
    expect(message).toMatchObject({ from: '+972987654321', type: 'system', system: { type: 'customer_identity_changed' } })
  })

  it('user_changed_number: the new number travels on the contract', () => {
    const parsed = parse('pywa-system-number-change')
    expect(parsed.rejected).toEqual([])
    const message = toInboundMessage(parsed.messages[0]!, 'corbetta')
    expect(message).toMatchObject({ from: '+972987654321', type: 'system', system: { type: 'user_changed_number', newNumber: '+972912345678' } })
  })

  it('a status for a send to a BSUID (only recipient_user_id): recipient is the BSUID', () => {
    const parsed = parseWhatsAppWebhook({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '390362000001', phone_number_id: '111' },
                statuses: [{ id: 'wamid.A', status: 'delivered', timestamp: '1700000000', recipient_user_id: 'IT.998877' }],
              },
            },
          ],
        },
      ],
    })
    expect(parsed.rejected).toEqual([])
    expect(toDeliveryStatus(parsed.statuses[0]!, 'corbetta').recipient).toBe('IT.998877')
  })

  it('refuses a from_user_id that is no BSUID, and a message with no sender at all', () => {
    const value = (message: Record<string, unknown>) => ({
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'messages', value: { metadata: { display_phone_number: '390362000001', phone_number_id: '111' }, messages: [message] } }] }],
    })
    const base = { id: 'wamid.B', timestamp: '1700000000', type: 'text', text: { body: 'ciao' } }
    expect(parseWhatsAppWebhook(value({ ...base, from_user_id: 'not a bsuid' })).rejected[0]?.reason).toMatch(/business-scoped/)
    expect(parseWhatsAppWebhook(value(base)).rejected[0]?.reason).toMatch(/neither from nor from_user_id/)
  })
})
