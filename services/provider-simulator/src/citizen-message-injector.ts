import { randomBytes } from 'node:crypto'
import type { CallbackOutcome } from './callback-dispatcher.js'
import type { ProviderSimulator } from './provider-simulator.js'
import type { RequestIssue } from './request-issues.js'
import { encodeFormBody, normalizePhoneNumber, providerDigitsFromE164, computeTwilioSignature, twilioInboundParams, signWhatsAppPayload, buildWhatsAppMessageWebhook, encodeWhatsAppWebhookBody } from '@banditore/providers'

/** A control request the simulator cannot act on (unknown number, missing webhook URL...). */
export class SimulatorRequestError extends Error {
  readonly code = 'SIMULATOR_BAD_REQUEST'
  /** The problems by field (a bad request body or query). */
  readonly issues: readonly RequestIssue[]
  constructor(
    message: string,
    readonly statusCode: 400 | 404 | 409 = 400,
    options?: { cause?: unknown; issues?: readonly RequestIssue[] },
  ) {
    super(message, options)
    this.issues = options?.issues ?? []
    this.name = 'SimulatorRequestError'
  }
}

export interface InjectWhatsAppInput {
  /** The business number: phone_number_id or display number (E.164). */
  readonly to: string
  /** The citizen (any format; default region IT). Absent: a username-only citizen, known by `fromUserId`. */
  readonly from?: string
  /** The citizen's business-scoped user id (BSUID): posted as `from_user_id`, with or without `from`. */
  readonly fromUserId?: string
  readonly profileName?: string
  /** Shorthand for `{ type: 'text', text: { body } }`. */
  readonly text?: string
  /** A Meta message object without from/id/timestamp, e.g. an interactive reply or an image. */
  readonly message?: Readonly<Record<string, unknown>>
  /**
   * The citizen taps what a message the number sent them offers: a row or reply button `id` of an
   * interactive message, or a template quick-reply button's payload.
   */
  readonly reply?: { readonly id: string; readonly messageId?: string }
  /** Default: a fresh wamid. Reuse one to simulate a provider redelivery. */
  readonly messageId?: string
}

/**
 * The Meta message object of a citizen's tap on what a message the simulator accepted offered
 * them (the latest one to them offering the id, or the one named): a list row or reply button of
 * an interactive message (`interactive.list_reply` / `button_reply`), or a quick-reply button of
 * a template whose send gave it that payload (Meta's `type: "button"` message, `button: {
 * payload, text }`, the label in the template's language).
 */
function citizenTap(sim: ProviderSimulator, business: { phoneNumberId: string; displayPhoneNumber: string }, from: string, reply: NonNullable<InjectWhatsAppInput['reply']>) {
  const sent = sim.record
    .query({ provider: 'whatsapp-cloud', sender: business.phoneNumberId, to: from })
    .filter((m) => (m.interactive || m.template?.buttons) && (reply.messageId === undefined || m.providerMessageId === reply.messageId))
    .reverse()
  for (const message of sent) {
    const context = { from: providerDigitsFromE164(business.displayPhoneNumber), id: message.providerMessageId }
    const quickReply = message.template?.buttons?.find((b) => b.payload === reply.id)
    if (quickReply) return { context, type: 'button', button: { payload: quickReply.payload, text: quickReply.text } }
    const interactive = message.interactive as { type?: string; action?: { sections?: Array<{ rows?: Array<{ id: string; title: string; description?: string }> }>; buttons?: Array<{ reply: { id: string; title: string } }> } } | undefined
    const row = interactive?.action?.sections?.flatMap((s) => s.rows ?? []).find((r) => r.id === reply.id)
    if (interactive?.type === 'list' && row) {
      return { context, type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: row.id, title: row.title, ...(row.description !== undefined ? { description: row.description } : {}) } } }
    }
    const button = interactive?.action?.buttons?.find((b) => b.reply.id === reply.id)
    if (interactive?.type === 'button' && button) {
      return { context, type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: button.reply.id, title: button.reply.title } } }
    }
  }
  throw new SimulatorRequestError(
    `/reply/id: no interactive message or template quick-reply button from this number to ${from} offers ${JSON.stringify(reply.id)} (GET /_sim/messages lists them)`,
    404,
    { issues: [{ field: '/reply/id', message: 'is not offered by an interactive message or a template quick-reply button sent to the citizen' }] },
  )
}

export interface InjectedMessage {
  readonly messageId: string
  readonly delivery: CallbackOutcome
}

function citizenNumber(raw: string): string {
  try {
    return normalizePhoneNumber(raw, { validation: 'possible' })
  } catch (cause) {
    throw new SimulatorRequestError('/from is not a phone number', 400, { cause, issues: [{ field: '/from', message: 'is not a phone number' }] })
  }
}

/** Posts a citizen's WhatsApp message to the business number's webhook, signed as Meta signs it. */
export async function injectWhatsAppMessage(sim: ProviderSimulator, input: InjectWhatsAppInput): Promise<InjectedMessage> {
  const sender = sim.senders.whatsapp(input.to)
  if (!sender) {
    throw new SimulatorRequestError(`/to: no WhatsApp number ${input.to} is registered (give its phone_number_id or its number in E.164; GET /_sim/senders lists them)`, 404)
  }
  if (!sender.webhookUrl) throw new SimulatorRequestError(`WhatsApp number ${input.to} has no webhook URL`, 409)
  if (input.text === undefined && input.message === undefined && input.reply === undefined) {
    throw new SimulatorRequestError('give /text (a text message), /message (a Meta message object) or /reply (a tap on an interactive message or a template button)', 400, {
      issues: [{ field: '/text', message: 'is required unless /message is given' }],
    })
  }
  if (input.from === undefined && input.fromUserId === undefined) {
    throw new SimulatorRequestError('give /from (the citizen\'s number) or /fromUserId (a username-only citizen\'s BSUID)', 400, {
      issues: [{ field: '/from', message: 'is required unless /fromUserId is given' }],
    })
  }
  const number = input.from !== undefined ? citizenNumber(input.from) : undefined
  // The citizen's address as the simulator keys them (window, record): the number, else the BSUID,
  // which is where the business sends to them (`recipient`).
  const from = number ?? (input.fromUserId as string)
  const messageId =
    input.messageId ?? `wamid.HBgM${Buffer.from(`${number !== undefined ? providerDigitsFromE164(number) : from}:in:${sim.nextId()}`).toString('base64')}`
  const now = sim.now()
  const payload = buildWhatsAppMessageWebhook(
    {
      businessAccountId: sender.businessAccountId ?? `waba-${sender.phoneNumberId}`,
      phoneNumberId: sender.phoneNumberId,
      displayPhoneNumber: sender.displayPhoneNumber,
    },
    {
      ...(number !== undefined ? { from: number } : {}),
      ...(input.fromUserId !== undefined ? { fromUserId: input.fromUserId } : {}),
      messageId,
      at: new Date(now),
      ...(input.profileName !== undefined ? { profileName: input.profileName } : {}),
      message: input.reply ? citizenTap(sim, sender, from, input.reply) : (input.message ?? { type: 'text', text: { body: input.text } }),
    },
  )
  sim.noteInbound(sender.phoneNumberId, from, now)
  const body = encodeWhatsAppWebhookBody(payload)
  const delivery = await sim.callbacks.deliver({
    provider: 'whatsapp-cloud',
    url: sender.webhookUrl,
    body,
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': signWhatsAppPayload(body, sender.appSecret ?? sim.options.whatsappAppSecret),
    },
  })
  return { messageId, delivery }
}

export interface InjectSmsInput {
  /** The business number, E.164. */
  readonly to: string
  readonly from: string
  readonly body: string
  readonly media?: ReadonlyArray<{ readonly url: string; readonly contentType: string }>
  /** Default: detected from the body as Twilio's Advanced Opt-Out does; null for none. */
  readonly optOutType?: 'STOP' | 'START' | 'HELP' | null
  /** Default: a fresh SM sid. */
  readonly messageSid?: string
}

/** Twilio's default opt-out, opt-in and help keywords (whole message, any case). */
const KEYWORDS: Readonly<Record<string, 'STOP' | 'START' | 'HELP'>> = {
  STOP: 'STOP',
  STOPALL: 'STOP',
  UNSUBSCRIBE: 'STOP',
  CANCEL: 'STOP',
  END: 'STOP',
  QUIT: 'STOP',
  REVOKE: 'STOP',
  OPTOUT: 'STOP',
  START: 'START',
  YES: 'START',
  UNSTOP: 'START',
  HELP: 'HELP',
  INFO: 'HELP',
}

export interface InjectedSms extends InjectedMessage {
  readonly optOutType?: 'STOP' | 'START' | 'HELP'
}

/**
 * Posts a citizen's SMS to the number's messaging webhook, signed as Twilio signs it. STOP and
 * START also change what the gateway lets through (21610), as Twilio's opt-out handling does.
 */
export async function injectSms(sim: ProviderSimulator, input: InjectSmsInput): Promise<InjectedSms> {
  const number = sim.senders.twilioNumber(input.to)
  if (!number) {
    throw new SimulatorRequestError(`/to: no SMS number ${input.to} is registered (give it in E.164; GET /_sim/senders lists them)`, 404)
  }
  if (!number.smsUrl) throw new SimulatorRequestError(`SMS number ${input.to} has no smsUrl`, 409)
  const from = citizenNumber(input.from)
  const optOutType = input.optOutType === null ? undefined : (input.optOutType ?? KEYWORDS[input.body.trim().toUpperCase()])
  if (optOutType === 'STOP') sim.setOptOut(from, number.number, true)
  if (optOutType === 'START') sim.setOptOut(from, number.number, false)
  const messageSid = input.messageSid ?? `${input.media?.length ? 'MM' : 'SM'}${randomBytes(16).toString('hex')}`
  const params = twilioInboundParams({
    accountSid: number.account.accountSid,
    messageSid,
    from,
    to: number.number,
    body: input.body,
    ...(input.media ? { media: input.media } : {}),
    ...(optOutType ? { optOutType } : {}),
  })
  const delivery = await sim.callbacks.deliver({
    provider: 'twilio',
    url: number.smsUrl,
    body: encodeFormBody(params),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': computeTwilioSignature(number.account.authToken, number.smsUrl, params),
    },
  })
  return { messageId: messageSid, delivery, ...(optOutType ? { optOutType } : {}) }
}
