import { isBsuid } from '@banditore/contracts'
import { normalizePhoneNumber } from './phone-number.js'
import {
  CUSTOMER_SERVICE_WINDOW_MS,
  OutsideCustomerServiceWindowError,
  ProviderError,
  retryAfterMsFrom,
} from './provider-error.js'
import { requestProviderPaced, type FetchFunction } from './provider-request.js'
import { senderKeys, type SendPriority, type SendRateLimiter } from './send-rate-limiter.js'
import { classifyWhatsAppError } from './whatsapp-error-classifier.js'
import { interactiveBody, validateInteractive, type InteractiveContent } from './whatsapp-interactive.js'

/** One tenant's WhatsApp sending number. */
export interface WhatsAppSender {
  readonly phoneNumberId: string
  readonly accessToken: string
}

export interface WhatsAppCloudClientOptions {
  /** Default https://graph.facebook.com; the simulator's URL in tests and the local stack. */
  readonly baseUrl?: string
  /** Default v21.0. */
  readonly apiVersion?: string
  /** Per-request deadline in ms. Default 10000. */
  readonly timeoutMs?: number
  readonly fetch?: FetchFunction
  /** Paces sends per sending number; a send's own `rateLimiter` wins. */
  readonly rateLimiter?: SendRateLimiter
}

/**
 * The customer-service window, as the caller knows it: the citizen's last inbound message time
 * (null when there is none), or a decision already taken.
 */
export type CustomerServiceWindow = { readonly lastInboundAt: Date | string | null } | { readonly open: boolean }

interface SendCommon {
  readonly sender: WhatsAppSender
  /** Recipient, any format libphonenumber reads (default region IT), or a business-scoped user id (BSUID). */
  readonly to: string
  /** Our send-ledger id: sent as biz_opaque_callback_data, echoed in status webhooks. */
  readonly correlation: string
  readonly priority?: SendPriority
  readonly rateLimiter?: SendRateLimiter
}

export interface SendTextInput extends SendCommon {
  readonly body: string
  readonly window: CustomerServiceWindow
  readonly previewUrl?: boolean
  /** The provider message id this answers (shown as a quoted reply). */
  readonly replyTo?: string
  /** Clock for the window check. Default now. */
  readonly now?: Date
}

export type TemplateParameter =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'currency'; readonly fallbackValue: string; readonly code: string; readonly amount1000: number }
  | { readonly type: 'date_time'; readonly fallbackValue: string }
  | { readonly type: 'image' | 'document' | 'video'; readonly link: string; readonly filename?: string }

export interface SendTemplateInput extends SendCommon {
  readonly template: {
    readonly name: string
    /** e.g. `it`, `en_US`. */
    readonly languageCode: string
    readonly header?: readonly TemplateParameter[]
    readonly body?: readonly TemplateParameter[]
    /**
     * The payloads of the template's quick-reply buttons, in the template's button order (the
     * first is index 0): what the webhook brings back (`button.payload`) when the citizen taps
     * one. Sent as Meta's `{ type: 'button', sub_type: 'quick_reply', index, parameters: [{ type:
     * 'payload', payload }] }` components; a button left out keeps no payload of ours.
     */
    readonly buttons?: readonly TemplateQuickReplyButton[]
  }
}

/** One quick-reply button of a template send: the id the citizen's tap brings back. */
export interface TemplateQuickReplyButton {
  readonly payload: string
}

export interface SendMediaInput extends SendCommon {
  readonly media:
    | { readonly kind: 'image'; readonly link: string; readonly caption?: string }
    | { readonly kind: 'document'; readonly link: string; readonly caption?: string; readonly filename?: string }
  readonly window: CustomerServiceWindow
  readonly now?: Date
}

export interface SendInteractiveInput extends SendCommon {
  /** A list or reply buttons; checked against Meta's limits before sending (InteractiveMessageError). */
  readonly interactive: InteractiveContent
  readonly window: CustomerServiceWindow
  readonly replyTo?: string
  readonly now?: Date
}

export interface SendResult {
  readonly provider: 'whatsapp-cloud' | 'sms-gateway'
  readonly providerMessageId: string
  /** The recipient as sent: E.164, or the BSUID. */
  readonly to: string
  readonly correlation: string
}

export interface WhatsAppCloudClient {
  sendText(input: SendTextInput): Promise<SendResult>
  sendTemplate(input: SendTemplateInput): Promise<SendResult>
  sendMedia(input: SendMediaInput): Promise<SendResult>
  /** An interactive list or reply buttons: free-form, so only inside the customer-service window. */
  sendInteractive(input: SendInteractiveInput): Promise<SendResult>
}

function assertWindowOpen(window: CustomerServiceWindow, now: Date) {
  if ('open' in window) {
    if (!window.open) throw new OutsideCustomerServiceWindowError(undefined)
    return
  }
  if (window.lastInboundAt === null) throw new OutsideCustomerServiceWindowError(undefined)
  const last = new Date(window.lastInboundAt)
  if (Number.isNaN(last.getTime()) || now.getTime() - last.getTime() >= CUSTOMER_SERVICE_WINDOW_MS) {
    throw new OutsideCustomerServiceWindowError(Number.isNaN(last.getTime()) ? undefined : last)
  }
}

function templateParameter(parameter: TemplateParameter): Record<string, unknown> {
  switch (parameter.type) {
    case 'text':
      return { type: 'text', text: parameter.text.normalize('NFC') }
    case 'currency':
      return {
        type: 'currency',
        currency: { fallback_value: parameter.fallbackValue, code: parameter.code, amount_1000: parameter.amount1000 },
      }
    case 'date_time':
      return { type: 'date_time', date_time: { fallback_value: parameter.fallbackValue } }
    default:
      return {
        type: parameter.type,
        [parameter.type]: parameter.filename ? { link: parameter.link, filename: parameter.filename } : { link: parameter.link },
      }
  }
}

interface GraphErrorBody {
  error?: { message?: string; type?: string; code?: number; error_subcode?: number; error_data?: { details?: string }; fbtrace_id?: string }
}

/** The Cloud API messages endpoint: POST {baseUrl}/{apiVersion}/{phoneNumberId}/messages. */
export function createWhatsAppCloudClient(options: WhatsAppCloudClientOptions = {}): WhatsAppCloudClient {
  const baseUrl = (options.baseUrl ?? 'https://graph.facebook.com').replace(/\/+$/, '')
  const apiVersion = options.apiVersion ?? 'v21.0'
  const timeoutMs = options.timeoutMs ?? 10_000
  const fetchFn: FetchFunction = options.fetch ?? ((input, init) => fetch(input, init))

  async function post(common: SendCommon, message: Record<string, unknown>): Promise<SendResult> {
    // A citizen known only by their business-scoped user id goes in `recipient`, never in `to`:
    // Meta's Cloud API reads `to` as a phone number (a BSUID there is accepted and silently not
    // delivered), and takes the BSUID in `recipient` with recipient_type "individual"; when both
    // are sent `to` wins. Sources: Meta, "Business-scoped user IDs"
    // (developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids),
    // as applied in devlooped/WhatsApp#440 and chatwoot/chatwoot#15150.
    const bsuid = isBsuid(common.to)
    const to = bsuid ? common.to : normalizePhoneNumber(common.to)
    const pacing = {
      limiter: common.rateLimiter ?? options.rateLimiter,
      senderKey: senderKeys.whatsapp(common.sender.phoneNumberId),
      priority: common.priority ?? 'routine',
    }
    const url = `${baseUrl}/${apiVersion}/${encodeURIComponent(common.sender.phoneNumberId)}/messages`
    const response = await requestProviderPaced('whatsapp-cloud', fetchFn, pacing, url, () => ({
      method: 'POST',
      headers: { authorization: `Bearer ${common.sender.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        ...(bsuid ? { recipient: to } : { to }),
        ...message,
        biz_opaque_callback_data: common.correlation,
      }),
    }), timeoutMs)
    if (response.status >= 200 && response.status < 300) {
      const id = (response.json as { messages?: Array<{ id?: unknown }> } | undefined)?.messages?.[0]?.id
      if (typeof id !== 'string' || id.length === 0) {
        throw new ProviderError('whatsapp-cloud: accepted without a message id', {
          provider: 'whatsapp-cloud',
          kind: 'retryable',
          httpStatus: response.status,
          ambiguous: true,
        })
      }
      return { provider: 'whatsapp-cloud', providerMessageId: id, to, correlation: common.correlation }
    }
    const error = (response.json as GraphErrorBody | undefined)?.error
    const kind = classifyWhatsAppError(response.status, error?.code)
    throw new ProviderError(`whatsapp-cloud: HTTP ${response.status} ${error?.message ?? ''}`.trim(), {
      provider: 'whatsapp-cloud',
      kind,
      providerCode: error?.code === undefined ? undefined : String(error.code),
      httpStatus: response.status,
      retryAfterMs: retryAfterMsFrom(response.headers.get('retry-after')),
      ambiguous: response.status >= 500,
      title: error?.message,
      detail: error?.error_data?.details,
      cause: response.json,
    })
  }

  return {
    async sendText(input) {
      assertWindowOpen(input.window, input.now ?? new Date())
      return post(input, {
        ...(input.replyTo ? { context: { message_id: input.replyTo } } : {}),
        type: 'text',
        text: { preview_url: input.previewUrl ?? false, body: input.body.normalize('NFC') },
      })
    },
    async sendTemplate(input) {
      const components: Array<Record<string, unknown>> = []
      if (input.template.header?.length) {
        components.push({ type: 'header', parameters: input.template.header.map(templateParameter) })
      }
      if (input.template.body?.length) {
        components.push({ type: 'body', parameters: input.template.body.map(templateParameter) })
      }
      input.template.buttons?.forEach((button, index) => {
        components.push({ type: 'button', sub_type: 'quick_reply', index: String(index), parameters: [{ type: 'payload', payload: button.payload }] })
      })
      return post(input, {
        type: 'template',
        template: {
          name: input.template.name,
          language: { code: input.template.languageCode },
          ...(components.length ? { components } : {}),
        },
      })
    },
    async sendMedia(input) {
      assertWindowOpen(input.window, input.now ?? new Date())
      const { kind, link, caption } = input.media
      const media: Record<string, unknown> = { link }
      if (caption) media.caption = caption.normalize('NFC')
      if (input.media.kind === 'document' && input.media.filename) media.filename = input.media.filename
      return post(input, { type: kind, [kind]: media })
    },
    async sendInteractive(input) {
      validateInteractive(input.interactive)
      assertWindowOpen(input.window, input.now ?? new Date())
      return post(input, {
        ...(input.replyTo ? { context: { message_id: input.replyTo } } : {}),
        type: 'interactive',
        interactive: interactiveBody(input.interactive),
      })
    },
  }
}
