import type { TenantDirectory } from '@banditore/platform'
import { answerWhatsAppSubscription, parseWhatsAppWebhook, verifyWhatsAppSignature, WebhookPayloadError } from '@banditore/providers'
import type { FastifyInstance } from 'fastify'
import type { InboundIntake } from '../inbound-intake.js'
import { MalformedRequestError, WebhookSignatureError } from '../ingest-errors.js'
import type { WebhookCredentials } from '../webhook-credentials.js'
import { routeParsedWebhook, unroutedEnvelope, webhookProofOf, type TenantRoute } from '../webhook-routing.js'

export interface WhatsAppWebhookDeps {
  readonly tenants: TenantDirectory
  readonly credentials: WebhookCredentials
  readonly intake: InboundIntake
  /** WHATSAPP_VERIFY_TOKEN; unset refuses verification. */
  readonly verifyToken: string | undefined
}

/**
 * The secret among ours that signed `raw`. Every distinct app secret is tried (there are as many
 * as Meta apps, a handful), so a genuine webhook for a number no tenant has is still recognised
 * as Meta's and kept on inbound.unrouted, while a forged one is refused.
 */
function signingSecret(raw: Buffer, header: string | string[] | undefined, secrets: readonly string[]): string {
  for (const secret of secrets) {
    const check = verifyWhatsAppSignature(raw, header, secret)
    if (check.valid) return secret
    if (check.reason !== 'mismatch') throw new WebhookSignatureError(check.reason)
  }
  throw new WebhookSignatureError(secrets.length === 0 && !header ? 'missing' : 'mismatch')
}

/** GET (Meta's subscription check) and POST (events) on /webhooks/whatsapp, for every tenant. */
export async function whatsAppWebhookRoutes(app: FastifyInstance, deps: WhatsAppWebhookDeps): Promise<void> {
  const config = { door: 'whatsapp' }

  app.get('/webhooks/whatsapp', { config }, async (request, reply) => {
    const answer = deps.verifyToken
      ? answerWhatsAppSubscription(request.query as Record<string, unknown>, deps.verifyToken)
      : ({ status: 403, body: '' } as const)
    if (answer.status === 200) return reply.code(200).type('text/plain').send(answer.body)
    return reply
      .code(403)
      .type('application/problem+json')
      .send({ type: 'about:blank', title: 'Forbidden', status: 403, detail: 'verification refused' })
  })

  app.post('/webhooks/whatsapp', { config }, async (request, reply) => {
    const receivedAt = new Date()
    const raw = request.body as Buffer
    const secret = signingSecret(raw, request.headers['x-hub-signature-256'], deps.credentials.allWhatsAppSecrets())

    let parsed
    try {
      parsed = parseWhatsAppWebhook(raw, { receivedAt })
    } catch (error) {
      if (error instanceof WebhookPayloadError) throw new MalformedRequestError(error.message, error.issues.slice(0, 20), { cause: error })
      throw error
    }
    // Statuses with no delivery state (a `deleted` message): understood, neither published nor unrouted.
    if (parsed.notices?.length && (request.log.level === 'debug' || request.log.level === 'trace')) {
      request.log.debug({ notices: parsed.notices.map((n) => ({ status: n.providerState, phoneNumberId: n.sender.phoneNumberId })) }, 'whatsapp statuses without a delivery state')
    }
    for (const { error, receiver } of parsed.errors) {
      request.log.warn({ providerError: error.code, title: error.title, phoneNumberId: receiver?.phoneNumberId }, 'whatsapp webhook reports an error')
    }

    const route = (endpoint: { phoneNumberId?: string }): TenantRoute => {
      const tenant = endpoint.phoneNumberId ? deps.tenants.byWhatsAppPhoneNumberId(endpoint.phoneNumberId) : undefined
      if (!tenant) return { reason: 'no tenant has this WhatsApp phone_number_id' }
      // Tenants on different Meta apps: a body signed by app A cannot speak for app B's number.
      if (deps.credentials.whatsAppSecretOf(tenant) !== secret) return { reason: "signed with another Meta app's secret than the number's tenant" }
      return { tenant }
    }
    const routed = routeParsedWebhook(parsed, route, webhookProofOf(raw, request.headers['x-hub-signature-256']))
    const envelopes = [...routed.envelopes]
    if (routed.unroutedReasons.length > 0) {
      envelopes.push(unroutedEnvelope('whatsapp-cloud', routed.unroutedReasons, routed.unroutedTo, raw, receivedAt))
      request.log.warn({ reasons: routed.unroutedReasons.slice(0, 5), phoneNumberId: routed.unroutedTo }, 'whatsapp webhook kept on inbound.unrouted')
    }
    const result = await deps.intake.accept(envelopes)
    if (request.log.level === 'debug' || request.log.level === 'trace') request.log.debug({ ids: routed.envelopes.map((e) => e.id), ...result }, 'whatsapp webhook accepted')
    return reply.code(200).send({ accepted: result.published, duplicates: result.duplicates, unrouted: routed.unroutedReasons.length > 0 })
  })
}
