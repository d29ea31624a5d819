import { createHash } from 'node:crypto'
import { Subjects, UnroutedWebhookContract, type Tenant, type WebhookProof } from '@banditore/contracts'
import { toDeliveryStatus, toInboundMessage, type ParsedWebhook, type ProviderEndpoint } from '@banditore/providers'
import type { InboundEnvelope } from './inbound-intake.js'

const encoder = new TextEncoder()

/** The tenant an endpoint belongs to, or why it cannot be routed. */
export type TenantRoute = { readonly tenant: Tenant } | { readonly reason: string }

/** A parsed webhook split into what goes to tenants and what cannot be routed. */
export interface RoutedWebhook {
  readonly envelopes: InboundEnvelope[]
  /** Why items could not be routed (unknown number, unreadable item...); empty when all routed. */
  readonly unroutedReasons: string[]
  /** The first unroutable receiving number or account, when readable. */
  readonly unroutedTo?: string
}

/**
 * Turns every message and status of a parsed webhook into a canonical envelope for its tenant.
 * Nothing is dropped: unknown numbers, items the parser rejected and contract violations are
 * returned as reasons, for one UnroutedWebhook carrying the raw body.
 */
/**
 * The proof that a verified webhook came from its provider (see WebhookProofSchema): carried on
 * each citizen message, so the consent ledger can keep it with the consent.
 */
export function webhookProofOf(rawBody: Buffer, signature: string | string[] | undefined): WebhookProof | undefined {
  const header = Array.isArray(signature) ? signature[0] : signature
  if (!header) return undefined
  return { bodySha256: createHash('sha256').update(rawBody).digest('hex'), signature: header.slice(0, 512) }
}

export function routeParsedWebhook(parsed: ParsedWebhook, route: (endpoint: ProviderEndpoint) => TenantRoute, proof?: WebhookProof): RoutedWebhook {
  const envelopes: InboundEnvelope[] = []
  const reasons: string[] = []
  let unroutedTo: string | undefined
  const unroutable = (reason: string, to: string | undefined) => {
    reasons.push(reason)
    unroutedTo ??= to
  }

  for (const event of parsed.messages) {
    const target = route(event.receiver)
    if ('reason' in target) {
      unroutable(target.reason, event.receiver.phoneNumberId ?? event.receiver.number)
      continue
    }
    try {
      const parsedMessage = toInboundMessage(event, target.tenant.id)
      const message = proof ? { ...parsedMessage, version: 2 as const, webhook: proof } : parsedMessage
      envelopes.push({
        subject: Subjects.inboundMessage(target.tenant.id),
        id: message.id,
        kind: 'message',
        data: encoder.encode(JSON.stringify(message)),
      })
    } catch (error) {
      unroutable(`message violates the InboundMessage contract: ${(error as Error).message}`, event.receiver.number)
    }
  }
  for (const event of parsed.statuses) {
    const target = route(event.sender)
    if ('reason' in target) {
      unroutable(target.reason, event.sender.phoneNumberId ?? event.sender.number)
      continue
    }
    try {
      const status = toDeliveryStatus(event, target.tenant.id)
      envelopes.push({
        subject: Subjects.inboundStatus(target.tenant.id),
        id: status.id,
        kind: 'status',
        data: encoder.encode(JSON.stringify(status)),
      })
    } catch (error) {
      unroutable(`status violates the DeliveryStatus contract: ${(error as Error).message}`, event.sender.number)
    }
  }
  for (const item of parsed.rejected) unroutable(item.reason, item.to)
  return { envelopes, unroutedReasons: reasons, ...(unroutedTo !== undefined ? { unroutedTo } : {}) }
}

/**
 * The UnroutedWebhook for a webhook's unroutable items, carrying the raw body for inspection.
 * Its id is a digest of provider and body, so a provider's redelivery of the same webhook is
 * stored once.
 *
 * Such a webhook is answered 200 once this is stored: a non-2xx would make the provider retry
 * the same body for days (Meta up to 7) and, past a failure rate, disable the webhook for every
 * number of the app; a retry cannot succeed anyway, since routing is fixed by adding the number
 * to a tenant file. Only correctly signed webhooks get here (a forged one is 401), so strangers
 * cannot fill the stream.
 */
export function unroutedEnvelope(
  provider: 'whatsapp-cloud' | 'sms-gateway',
  reasons: readonly string[],
  to: string | undefined,
  rawBody: Buffer,
  receivedAt: Date,
): InboundEnvelope {
  const reason = [...new Set(reasons)].join('; ')
  const data = UnroutedWebhookContract.encode({
    version: 1,
    provider,
    reason: reason.length > 2000 ? `${reason.slice(0, 1997)}...` : reason,
    ...(to !== undefined ? { to } : {}),
    body: rawBody.toString('utf8'),
    receivedAt: receivedAt.toISOString(),
  })
  const digest = createHash('sha256').update(provider).update('\n').update(rawBody).digest('hex')
  return { subject: Subjects.inboundUnrouted, id: `unrouted:${provider}:${digest}`, kind: 'unrouted', data }
}
