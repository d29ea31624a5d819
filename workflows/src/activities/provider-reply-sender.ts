import type { TenantDirectory } from '@banditore/platform'
import {
  InteractiveMessageError,
  InvalidPhoneNumberError,
  OutsideCustomerServiceWindowError,
  ProviderError,
  statusCallbackUrlFor,
  type SendRateLimiter,
  type TwilioSmsClient,
  type WhatsAppCloudClient,
  type WhatsAppSender,
} from '@banditore/providers'
import type { ReplyInput } from '../workflows/reply-types.js'
import { PermanentSendError, type OutboundSender, type SendHooks } from './reply.activities.js'

export interface ProviderReplySenderDeps {
  tenants: TenantDirectory
  whatsapp: WhatsAppCloudClient
  sms: TwilioSmsClient
  /** Shared by every outbound path of a sender number. */
  rateLimiter: SendRateLimiter
  /** Resolves a secret by the environment variable name a tenant file gives. */
  secret: (name: string) => string
  /** Ingest's public status-callback URL for the SMS gateway. */
  smsStatusCallbackUrl: string
}

/** WhatsApp's customer-service window: free text within 24 hours of the citizen's last message. */
const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000

/** The correlation a reply's statuses come back with. */
export const replyCorrelation = (tenant: string, replyId: string) => `reply:${tenant}:${replyId}`

/** The reply a status's correlation names (tenant ids have no colon), or undefined. */
export function parseReplyCorrelation(correlation: string): { tenant: string; replyId: string } | undefined {
  const match = /^reply:([^:]+):(.+)$/.exec(correlation)
  return match ? { tenant: match[1] as string, replyId: match[2] as string } : undefined
}

/** The limiter, telling `onSlot` each time it lets the send go. */
function announcingSlots(limiter: SendRateLimiter, onSlot: () => void): SendRateLimiter {
  const { reserve } = limiter
  return {
    async acquire(senderKey, options) {
      await limiter.acquire(senderKey, options)
      onSlot()
    },
    ...(reserve
      ? {
          async reserve(senderKey: string, options?: Parameters<NonNullable<SendRateLimiter['reserve']>>[1]) {
            const slot = await reserve.call(limiter, senderKey, options)
            onSlot()
            return slot
          },
        }
      : {}),
  }
}

/**
 * Graph codes that refuse the interactive form itself, where the same words as text may still go:
 * invalid or missing parameters, undeliverable, outside the window, unsupported message type.
 */
const INTERACTIVE_REFUSALS = new Set(['100', '131008', '131009', '131026', '131047', '131051'])

/**
 * The interactive form of a reply, or undefined when WhatsApp refuses it for good (limits, the
 * window, an undeliverable interactive message): the caller then sends the plain-text form.
 * Transient failures are thrown as they are, to be retried.
 */
async function sendInteractive(
  whatsapp: WhatsAppCloudClient,
  message: ReplyInput,
  common: { sender: WhatsAppSender; correlation: string; rateLimiter: SendRateLimiter },
): Promise<{ providerMessageId: string } | undefined> {
  if (!message.interactive) return undefined
  try {
    const result = await whatsapp.sendInteractive({
      ...common,
      to: message.to,
      interactive: message.interactive,
      window: { lastInboundAt: message.lastInboundAt ?? null },
    })
    return { providerMessageId: result.providerMessageId }
  } catch (error) {
    if (error instanceof InteractiveMessageError || error instanceof OutsideCustomerServiceWindowError) return undefined
    if (error instanceof ProviderError && INTERACTIVE_REFUSALS.has(error.providerCode ?? '')) return undefined
    throw error
  }
}

/** Sends replies through the tenant's own WhatsApp number or SMS gateway account. */
export function createProviderReplySender(deps: ProviderReplySenderDeps): OutboundSender {
  return {
    async send(message: ReplyInput, hooks?: SendHooks) {
      const rateLimiter = hooks?.onSlot ? announcingSlots(deps.rateLimiter, hooks.onSlot) : deps.rateLimiter
      const tenant = deps.tenants.get(message.tenant)
      if (!tenant) throw new PermanentSendError(`unknown tenant ${message.tenant}`, { code: 'UNKNOWN_TENANT' })
      const correlation = replyCorrelation(message.tenant, message.replyId)
      try {
        if (message.channel === 'whatsapp') {
          const channel = tenant.channels.whatsapp
          if (!channel) throw new PermanentSendError(`tenant ${tenant.id} has no WhatsApp number`, { code: 'NO_CHANNEL' })
          const sender = { phoneNumberId: channel.phoneNumberId, accessToken: deps.secret(channel.accessTokenEnv) }
          const windowOpen = message.lastInboundAt !== undefined && Date.now() - Date.parse(message.lastInboundAt) < CUSTOMER_SERVICE_WINDOW_MS
          if (message.template && !windowOpen) {
            // Business-initiated: only an approved template may go.
            const result = await deps.whatsapp.sendTemplate({
              sender,
              to: message.to,
              correlation,
              rateLimiter,
              template: {
                name: message.template.name,
                languageCode: message.template.languageCode,
                body: message.template.bodyParameters.map((text) => ({ type: 'text' as const, text })),
              },
            })
            return { providerMessageId: result.providerMessageId }
          }
          if (message.interactive && windowOpen) {
            const sent = await sendInteractive(deps.whatsapp, message, { sender, correlation, rateLimiter })
            if (sent) return sent
          }
          const result = await deps.whatsapp.sendText({
            sender,
            to: message.to,
            body: message.text,
            correlation,
            window: { lastInboundAt: message.lastInboundAt ?? null },
            rateLimiter,
          })
          return { providerMessageId: result.providerMessageId }
        }
        const channel = tenant.channels.sms
        if (!channel) throw new PermanentSendError(`tenant ${tenant.id} has no SMS number`, { code: 'NO_CHANNEL' })
        const result = await deps.sms.sendSms({
          account: { accountSid: deps.secret(channel.accountSidEnv), authToken: deps.secret(channel.authTokenEnv) },
          from: channel.number,
          to: message.to,
          body: message.text,
          statusCallbackUrl: statusCallbackUrlFor(deps.smsStatusCallbackUrl, correlation),
          correlation,
          rateLimiter,
        })
        return { providerMessageId: result.providerMessageId }
      } catch (error) {
        if (error instanceof OutsideCustomerServiceWindowError || error instanceof InvalidPhoneNumberError) {
          throw new PermanentSendError(error.message, { code: error.code, cause: error })
        }
        if (error instanceof ProviderError && error.kind === 'permanent') {
          throw new PermanentSendError(error.message, { code: error.code, cause: error })
        }
        throw error
      }
    },
  }
}
