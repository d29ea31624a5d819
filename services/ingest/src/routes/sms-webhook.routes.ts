import type { Tenant } from '@banditore/contracts'
import type { TenantDirectory } from '@banditore/platform'
import {
  e164FromProviderDigits,
  formValue,
  parseFormBody,
  parseTwilioSignatureSettings,
  parseTwilioWebhook,
  TWILIO_SIGNATURE_SETTINGS_HEADER,
  verifyTwilioSignature,
  WebhookPayloadError,
  type FormParams,
  type TwilioSignatureAlgorithm,
} from '@banditore/providers'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { InboundIntake } from '../inbound-intake.js'
import { MalformedRequestError, WebhookSecretMissingError, WebhookSignatureError } from '../ingest-errors.js'
import type { WebhookCredentials } from '../webhook-credentials.js'
import { routeParsedWebhook, unroutedEnvelope, webhookProofOf, type TenantRoute } from '../webhook-routing.js'

export interface SmsWebhookDeps {
  readonly tenants: TenantDirectory
  readonly credentials: WebhookCredentials
  readonly intake: InboundIntake
  /** PUBLIC_BASE_URL; unset: rebuilt from the request. */
  readonly publicBaseUrl: string | undefined
}

// An empty TwiML answer: the gateway sends nothing back to the citizen on our behalf.
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

function e164(value: string | undefined): string | undefined {
  if (!value) return undefined
  try {
    return e164FromProviderDigits(value)
  } catch {
    return undefined
  }
}

/** The tenant whose SMS number is `number` (a tenant's WhatsApp number does not count). */
/** The tenant whose SMS number (or, for a status callback, alphanumeric sender ID) is `from`. */
function smsTenant(tenants: TenantDirectory, from: string | undefined): Tenant | undefined {
  return from ? tenants.bySmsSender(from) : undefined
}

/** The secret a tenant's SMS webhooks are signed with under an algorithm: SHA-1 the auth token, SHA-256 the Setting's shared key. */
function secretOf(deps: SmsWebhookDeps, tenant: Tenant, algorithm: TwilioSignatureAlgorithm): string | undefined {
  return algorithm === 'HMAC_SHA256' ? deps.credentials.smsSigningKeyOf(tenant) : deps.credentials.smsTokenOf(tenant)
}

/**
 * The secret that signed the request. The gateway signs the full URL it called plus the form
 * params: with the account's auth token (HMAC-SHA1), or, when a Webhook Setting applies (the
 * X-Twilio-Webhooks-Signature-Settings header says so), with its shared key and the algorithm it
 * names. For a known number only its tenant's secret is accepted; for an unknown one every
 * secret is tried, so a genuine webhook for an unconfigured number is kept on inbound.unrouted.
 */
function signingSecret(
  deps: SmsWebhookDeps,
  tenant: Tenant | undefined,
  headers: FastifyRequest['headers'],
  url: string,
  params: FormParams,
): { secret: string; algorithm: TwilioSignatureAlgorithm } {
  const header = headers['x-twilio-signature']
  const settings = parseTwilioSignatureSettings(headers[TWILIO_SIGNATURE_SETTINGS_HEADER])
  if (!settings) throw new WebhookSignatureError('malformed')
  const { algorithm } = settings
  let candidates: string[]
  if (tenant) {
    const secret = secretOf(deps, tenant, algorithm)
    const variable = algorithm === 'HMAC_SHA256' ? tenant.channels.sms?.webhookSigningKeyEnv : tenant.channels.sms?.authTokenEnv
    if (!secret) {
      if (variable) throw new WebhookSecretMissingError(tenant.id, variable)
      // Signed with a Setting's key while the tenant file names none: nothing to check it with.
      throw new WebhookSignatureError('mismatch')
    }
    candidates = [secret]
  } else {
    candidates = algorithm === 'HMAC_SHA256' ? deps.credentials.allSmsSigningKeys() : deps.credentials.allSmsTokens()
  }
  for (const secret of candidates) {
    const check = verifyTwilioSignature(secret, header, url, params, algorithm)
    if (check.valid) return { secret, algorithm }
    if (check.reason !== 'mismatch') throw new WebhookSignatureError(check.reason)
  }
  throw new WebhookSignatureError(candidates.length === 0 && !header ? 'missing' : 'mismatch')
}

/**
 * POST /webhooks/sms/messages (a citizen's SMS, routed by `To`) and /webhooks/sms/status
 * (delivery status callbacks, routed by `From`), Twilio-compatible form posts.
 */
export async function smsWebhookRoutes(app: FastifyInstance, deps: SmsWebhookDeps): Promise<void> {
  const publicUrl = (request: FastifyRequest) => `${deps.publicBaseUrl ?? `${request.protocol}://${request.host}`}${request.url}`

  const handler = (routedBy: 'To' | 'From') =>
    async function handleSmsWebhook(request: FastifyRequest, reply: FastifyReply) {
      const receivedAt = new Date()
      const raw = request.body as Buffer
      const params = parseFormBody(raw)
      const url = publicUrl(request)
      const routedOn = formValue(params, routedBy)
      const tenant = smsTenant(deps.tenants, e164(routedOn) ?? (routedBy === 'From' ? routedOn : undefined))
      const signed = signingSecret(deps, tenant, request.headers, url, params)

      let parsed
      try {
        parsed = parseTwilioWebhook(params, { url, receivedAt })
      } catch (error) {
        if (error instanceof WebhookPayloadError) throw new MalformedRequestError(error.message, error.issues, { cause: error })
        throw error
      }
      const route = (endpoint: { number: string }): TenantRoute => {
        const owner = smsTenant(deps.tenants, endpoint.number)
        if (!owner) return { reason: 'no tenant has this SMS number or sender ID' }
        if (secretOf(deps, owner, signed.algorithm) !== signed.secret) return { reason: "signed with another account's secret than the number's tenant" }
        return { tenant: owner }
      }
      const routed = routeParsedWebhook(parsed, route, webhookProofOf(raw, request.headers['x-twilio-signature']))
      const envelopes = [...routed.envelopes]
      if (routed.unroutedReasons.length > 0) {
        envelopes.push(unroutedEnvelope('sms-gateway', routed.unroutedReasons, routed.unroutedTo, raw, receivedAt))
        request.log.warn({ reasons: routed.unroutedReasons }, 'sms webhook kept on inbound.unrouted')
      }
      const result = await deps.intake.accept(envelopes)
      if (request.log.level === 'debug' || request.log.level === 'trace') request.log.debug({ ids: routed.envelopes.map((e) => e.id), ...result }, 'sms webhook accepted')
      return reply.code(200).type('text/xml').send(EMPTY_TWIML)
    }

  app.post('/webhooks/sms/messages', { config: { door: 'sms' } }, handler('To'))
  app.post('/webhooks/sms/status', { config: { door: 'sms-status' } }, handler('From'))
}
