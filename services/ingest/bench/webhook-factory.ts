import { buildWhatsAppMessageWebhook, buildWhatsAppStatusWebhook, computeTwilioSignature, encodeFormBody, signWhatsAppPayload, twilioInboundParams } from '@banditore/providers'

export interface WebhookFactoryOptions {
  /** Makes ids distinct across benchmark runs against the same stream. */
  readonly runId: string
  /** The URL ingest is reached at (the SMS signature covers it). */
  readonly baseUrl: string
  readonly phoneNumberId: string
  readonly displayNumber: string
  readonly appSecret: string
  readonly smsNumber: string
  readonly smsToken: string
}

export interface BuiltWebhook {
  path: string
  method: 'POST'
  headers: Record<string, string>
  body: string
}

export interface WebhookFactory {
  /** The next distinct, signed webhook (prepared ones first). */
  next(): BuiltWebhook
  /** Builds `count` webhooks ahead, so signing and serializing do not load the machine during a run. */
  prepare(count: number): void
  /** How many were built. */
  issued(): number
}

/**
 * Distinct signed webhooks in a fixed mix: 8 WhatsApp messages, 1 WhatsApp status, 1 SMS in every
 * 10. Each has a new provider id, so each is stored (nothing is deduped away).
 */
export function createWebhookFactory(options: WebhookFactoryOptions): WebhookFactory {
  const number = { businessAccountId: 'waba-bench', phoneNumberId: options.phoneNumberId, displayPhoneNumber: options.displayNumber }
  const smsUrl = `${options.baseUrl.replace(/\/+$/, '')}/webhooks/sms/messages`
  let count = 0
  let prepared: BuiltWebhook[] = []
  let cursor = 0
  const citizen = (n: number) => `+39347${String(1_000_000 + (n % 9_000_000)).padStart(7, '0')}`

  const build = (): BuiltWebhook => {
    const n = count++
    const id = `${options.runId}-${n}`
    const at = new Date()
    if (n % 10 === 8) {
      const body = JSON.stringify(
        buildWhatsAppStatusWebhook(number, { messageId: `wamid.out-${id}`, status: 'delivered', at, recipient: citizen(n), correlation: `ledger-${id}` }),
      )
      return { method: 'POST', path: '/webhooks/whatsapp', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppPayload(body, options.appSecret) }, body }
    }
    if (n % 10 === 9) {
      const params = twilioInboundParams({ accountSid: 'ACbench', messageSid: `SM${id}`, from: citizen(n), to: options.smsNumber, body: `messaggio ${n}` })
      return {
        method: 'POST',
        path: '/webhooks/sms/messages',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': computeTwilioSignature(options.smsToken, smsUrl, params) },
        body: encodeFormBody(params),
      }
    }
    const body = JSON.stringify(
      buildWhatsAppMessageWebhook(number, { from: citizen(n), messageId: `wamid.in-${id}`, at, profileName: 'Cittadino', message: { type: 'text', text: { body: `ISCRIVIMI ${n}` } } }),
    )
    return { method: 'POST', path: '/webhooks/whatsapp', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppPayload(body, options.appSecret) }, body }
  }

  return {
    issued: () => count,
    prepare(n) {
      prepared = Array.from({ length: n }, build)
      cursor = 0
    },
    next() {
      return cursor < prepared.length ? (prepared[cursor++] as BuiltWebhook) : build()
    },
  }
}
