import { broadcastCorrelation, type BroadcastContent, type Tenant } from '@banditore/contracts'
import { DispatchSlotMissedError, InvalidPhoneNumberError, ProviderError, senderKeys, type SendRateLimiter, type SendResult, type TemplateParameter, type TwilioSmsClient, type WhatsAppCloudClient } from '@banditore/providers'
import type { LeasedRateLimiter } from '../rate-limit/rate-limit-lease-limiter.js'
import type { LedgerRow, SendOutcome } from './send-ledger.repository.js'

export interface BroadcastSenderDeps {
  whatsapp: WhatsAppCloudClient
  sms: TwilioSmsClient
  rateLimiter: LeasedRateLimiter
  /** Resolves a secret by the environment variable name a tenant file gives. */
  secret: (name: string) => string
  /** Ingest's public status-callback URL for the SMS gateway. */
  smsStatusCallbackUrl: string
}

export interface BroadcastMessage {
  broadcastId: string
  tenant: Tenant
  content: BroadcastContent
  defaultLanguage: string
  /** Emergencies take the rate limiter's first lane. */
  priority?: 'routine' | 'emergency'
  /**
   * The recipients must be able to answer (officials acknowledging an alert): SMS go from the
   * number, never from the tenant's alphanumeric sender ID.
   */
  answerable?: boolean
}

/** WhatsApp's pair limit and the provider's "too fast" codes, as the adapters report them. */
const PAIR_RATE_CODE = '131056'

/** The sender key a row goes out of: what the rate limit and the pair pacing are keyed by. */
export function senderKeyOf(tenant: Tenant, channel: 'whatsapp' | 'sms'): string | undefined {
  if (channel === 'whatsapp') return tenant.channels.whatsapp ? senderKeys.whatsapp(tenant.channels.whatsapp.phoneNumberId) : undefined
  return tenant.channels.sms ? senderKeys.sms(tenant.channels.sms.number) : undefined
}

/** The broadcast has no variant for the recipient's channel. */
export class MissingContentError extends Error {
  readonly code = 'NO_CONTENT_FOR_CHANNEL'
  constructor(channel: string) {
    super(`the broadcast has nothing to send on ${channel}`)
    this.name = 'MissingContentError'
  }
}

/** The rate limit let a send wait past its pair slot's window: not sent, put back. */
export class PairSlotMissedError extends Error {
  readonly code = 'PAIR_SLOT_MISSED'
  constructor() {
    super('the send waited past its pair slot and was not made')
    this.name = 'PairSlotMissedError'
  }
}

/**
 * Meta refuses the broadcast's template itself (132015 paused for low quality, 132016 disabled):
 * every WhatsApp send of it would fail the same way, through no fault of the recipients.
 */
const TEMPLATE_UNAVAILABLE_CODES = new Set(['132015', '132016'])

/** The template of a routine broadcast is unavailable: its run stops, nobody is failed for it. */
export class TemplateUnavailableError extends Error {
  readonly code = 'TEMPLATE_UNAVAILABLE'
  constructor(
    readonly template: string,
    readonly providerCode: string,
    options?: { cause?: unknown },
  ) {
    super(`WhatsApp refuses the template ${template} (${providerCode}): the broadcast halts until it is approved again`, options)
    this.name = 'TemplateUnavailableError'
  }
}

/** The error halts a routine broadcast rather than failing its recipient. */
export function haltsBroadcast(message: BroadcastMessage, error: unknown): error is ProviderError {
  return (
    message.priority !== 'emergency' &&
    error instanceof ProviderError &&
    error.provider === 'whatsapp-cloud' &&
    error.providerCode !== undefined &&
    TEMPLATE_UNAVAILABLE_CODES.has(error.providerCode)
  )
}

/** What one failed send means for its row. */
export function outcomeOfError(id: number, error: unknown): SendOutcome {
  if (error instanceof InvalidPhoneNumberError) return { id, kind: 'failed', reason: 'invalid-number' }
  if (error instanceof MissingContentError) return { id, kind: 'failed', reason: 'no-content-for-channel' }
  // Its slot went by before the request could leave: nothing was sent, nobody refused it.
  if (error instanceof PairSlotMissedError) return { id, kind: 'released', reason: error.name, unsent: true }
  if (error instanceof ProviderError && error.cause instanceof DispatchSlotMissedError) return { id, kind: 'released', reason: 'DispatchSlotMissedError', unsent: true }
  if (error instanceof ProviderError) {
    const code = `${error.provider}:${error.providerCode ?? error.httpStatus ?? 'network'}`
    if (error.kind === 'permanent') return { id, kind: 'failed', reason: code }
    // Throttling is a refusal: certainly not accepted.
    if (error.kind === 'throttled') return { id, kind: 'released', reason: code }
    return error.ambiguous ? { id, kind: 'ambiguous', reason: code } : { id, kind: 'released', reason: code }
  }
  // Anything else failed before a request left (rate-limit lease, bad configuration).
  return { id, kind: 'released', reason: error instanceof Error ? error.name : 'error' }
}

/**
 * Sends one message to each row (all claimed `sending`), at most `concurrency` requests at once,
 * each under the sender's shared rate limit and after its pair slot (`waitMs`). A throttled
 * answer slows the sender down for every worker. Never throws: every row gets an outcome. Once
 * WhatsApp refuses a routine broadcast's template (haltsBroadcast), that row and every row not
 * yet sent are put back unsent, and `halted` carries the refusal.
 */
export async function sendToRows(
  deps: BroadcastSenderDeps,
  message: BroadcastMessage,
  rows: readonly LedgerRow[],
  options: {
    concurrency: number
    waitMs?: ReadonlyMap<number, number>
    pairWindowMs?: number
    /** Told each time the rate limit lets a row's request go (its send time, for the ledger). */
    onSlot?: (rowId: number) => void
  },
): Promise<SendOutcome[] & { halted?: TemplateUnavailableError }> {
  const outcomes: SendOutcome[] & { halted?: TemplateUnavailableError } = []
  let next = 0
  const worker = async () => {
    for (;;) {
      const row = rows[next++]
      if (!row) return
      if (outcomes.halted) {
        outcomes.push({ id: row.id, kind: 'released', reason: 'template-unavailable', unsent: true })
        continue
      }
      const wait = options.waitMs?.get(row.id)
      if (wait !== undefined && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      try {
        // A reserved pair slot holds only for its window: a send that waited longer for the rate
        // limit is put back before its request leaves, and gets a fresh slot later.
        const deadline = wait !== undefined && options.pairWindowMs !== undefined ? performance.now() + options.pairWindowMs : undefined
        const onSlot = options.onSlot
        const limiter: SendRateLimiter = deadline === undefined && !onSlot ? deps.rateLimiter : {
          acquire: async (key, acquireOptions) => {
            await deps.rateLimiter.acquire(key, acquireOptions)
            if (deadline !== undefined && performance.now() > deadline) throw new PairSlotMissedError()
            onSlot?.(row.id)
          },
          reserve: async (key, reserveOptions) => {
            const slot = await deps.rateLimiter.reserve(key, reserveOptions)
            // The slot's own time counts: the request leaves then.
            if (deadline !== undefined && slot.at - performance.timeOrigin > deadline) throw new PairSlotMissedError()
            onSlot?.(row.id)
            return slot
          },
        }
        const result = await sendOne({ ...deps, rateLimiter: limiter }, message, row)
        outcomes.push({ id: row.id, kind: 'accepted', providerMessageId: result.providerMessageId })
      } catch (error) {
        if (haltsBroadcast(message, error)) {
          const template = message.content.whatsapp?.templateName ?? 'unknown'
          outcomes.halted ??= new TemplateUnavailableError(template, error.providerCode ?? 'unknown', { cause: error })
          outcomes.push({ id: row.id, kind: 'released', reason: `${error.provider}:${error.providerCode}`, unsent: true })
          continue
        }
        const outcome = outcomeOfError(row.id, error)
        outcomes.push(outcome)
        if (error instanceof ProviderError && error.kind === 'throttled' && error.providerCode !== PAIR_RATE_CODE) {
          const key = senderKeyOf(message.tenant, row.channel)
          if (key) await deps.rateLimiter.throttled(key, error.retryAfterMs).catch(() => undefined)
        }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(options.concurrency, rows.length) }, worker))
  return outcomes
}

async function sendOne(deps: Omit<BroadcastSenderDeps, 'rateLimiter'> & { rateLimiter: SendRateLimiter }, message: BroadcastMessage, row: LedgerRow): Promise<SendResult> {
  const { tenant, content, defaultLanguage } = message
  const correlation = broadcastCorrelation(message.broadcastId, row.id)
  if (row.channel === 'whatsapp') {
    const channel = tenant.channels.whatsapp
    const whatsapp = content.whatsapp
    if (!channel || !whatsapp) throw new MissingContentError('whatsapp')
    const variant = whatsapp.variants[row.language] ?? whatsapp.variants[defaultLanguage]
    if (!variant) throw new MissingContentError('whatsapp')
    const header: TemplateParameter[] | undefined = content.media
      ? [{ type: content.media.kind, link: content.media.url, ...(content.media.filename ? { filename: content.media.filename } : {}) }]
      : undefined
    return await deps.whatsapp.sendTemplate({
      sender: { phoneNumberId: channel.phoneNumberId, accessToken: deps.secret(channel.accessTokenEnv) },
      to: row.phone,
      correlation,
      priority: message.priority ?? 'routine',
      rateLimiter: deps.rateLimiter,
      template: {
        name: whatsapp.templateName,
        languageCode: variant.code,
        ...(header ? { header } : {}),
        body: variant.bodyParameters.map((text) => ({ type: 'text' as const, text })),
        // A safety poll's quick-reply buttons: each tap comes back with its payload.
        ...(whatsapp.buttons ? { buttons: whatsapp.buttons } : {}),
      },
    })
  }
  const channel = tenant.channels.sms
  const text = content.sms?.texts[row.language] ?? content.sms?.texts[defaultLanguage]
  if (!channel || !text) throw new MissingContentError('sms')
  return await deps.sms.sendSms({
    account: { accountSid: deps.secret(channel.accountSidEnv), authToken: deps.secret(channel.authTokenEnv) },
    from: channel.number,
    // Broadcasts and alerts are one-way: they may come from the tenant's alphanumeric sender ID.
    ...(channel.senderId && !message.answerable ? { senderId: channel.senderId } : {}),
    to: row.phone,
    body: text,
    ...(content.media ? { mediaUrls: [content.media.url] } : {}),
    // The adapter adds the correlation to the callback URL's query string.
    statusCallbackUrl: deps.smsStatusCallbackUrl,
    correlation,
    priority: message.priority ?? 'routine',
    rateLimiter: deps.rateLimiter,
  })
}
