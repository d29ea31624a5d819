import Type from 'typebox'
import { Compile } from 'typebox/compile'
import { timingSafeEqual } from 'node:crypto'
import type { FaultDecision } from './fault-plan.js'
import { graphError, graphUnknownObject } from './provider-error-catalog.js'
import type { SentTemplateButton, TemplateSendShape } from './template-catalog.js'
import { checkInteractiveSend } from './interactive-send-check.js'
import type { RecordedMessage } from './message-record.js'
import { businessAccountOf, type ProviderSimulator, type SimReply } from './provider-simulator.js'
import { e164FromProviderDigits, isBsuid, providerDigitsFromE164 } from '@banditore/providers'

/** The Cloud API send body, as far as the simulator checks it. */
const GraphSendSchema = Type.Object({
  messaging_product: Type.Literal('whatsapp'),
  recipient_type: Type.Optional(Type.Literal('individual')),
  /** A phone number. */
  to: Type.Optional(Type.String({ minLength: 1 })),
  /** A business-scoped user id (BSUID): where a username-only citizen is reached; `to` wins when both are given. */
  recipient: Type.Optional(Type.String({ minLength: 1 })),
  type: Type.Optional(Type.String({ minLength: 1 })),
  text: Type.Optional(Type.Object({ body: Type.String({ minLength: 1, maxLength: 4096 }), preview_url: Type.Optional(Type.Boolean()) })),
  template: Type.Optional(
    Type.Object({
      name: Type.String({ minLength: 1, maxLength: 512 }),
      language: Type.Object({ code: Type.String({ minLength: 1 }) }),
      components: Type.Optional(Type.Array(Type.Object({ type: Type.String(), parameters: Type.Optional(Type.Array(Type.Unknown())) }))),
    }),
  ),
  /** Meta caps it at 512 characters. */
  biz_opaque_callback_data: Type.Optional(Type.String({ maxLength: 512 })),
})
const sendValidator = Compile(GraphSendSchema)

/** Types that are free-form (need the customer-service window), unlike templates. */
const SESSION_TYPES = new Set(['text', 'image', 'document', 'audio', 'video', 'sticker', 'interactive', 'location', 'contacts', 'reaction'])

const sameSecret = (a: string, b: string) => {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** Applies injected latency, then turns fault outcomes that end the request into a reply. */
export async function applyFault(
  sim: ProviderSimulator,
  decision: FaultDecision,
  errorReply: (code: number, httpStatus?: number) => SimReply,
): Promise<SimReply | undefined> {
  if (decision.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.latencyMs))
  const outcome = decision.outcome
  if (outcome.type === 'error') {
    sim.rejections.injectedErrors++
    return errorReply(outcome.errorCode, outcome.httpStatus)
  }
  if (outcome.type === 'timeout') {
    sim.rejections.timeouts++
    return { kind: 'hold', ...(outcome.holdMs !== undefined ? { holdMs: outcome.holdMs } : {}) }
  }
  return undefined
}

const reply = (response: { status: number; body: unknown }): SimReply => ({ kind: 'reply', ...response })

/** POST /{version}/{phoneNumberId}/messages, as the Cloud API answers it. */
export async function handleGraphSend(
  sim: ProviderSimulator,
  request: { phoneNumberId: string; authorization: string | undefined; body: unknown },
): Promise<SimReply> {
  const sender = sim.senders.whatsapp(request.phoneNumberId)
  const token = /^Bearer (.+)$/i.exec(request.authorization ?? '')?.[1]
  if (!token || (sender && !sameSecret(token, sender.accessToken))) {
    sim.rejections.unauthorized++
    return reply(graphError(190))
  }
  if (!sender || sender.phoneNumberId !== request.phoneNumberId) {
    sim.rejections.invalid++
    return reply(graphUnknownObject(request.phoneNumberId))
  }
  const body = request.body
  if (!sendValidator.Check(body)) {
    sim.rejections.invalid++
    const first = sendValidator.Errors(body)[0]
    return reply(graphError(100, { details: `${first?.instancePath || '/'} ${first?.message ?? 'invalid'}` }))
  }
  const type = body.type ?? 'text'
  const content = (body as Record<string, unknown>)[type]
  if (typeof content !== 'object' || content === null) {
    sim.rejections.invalid++
    return reply(graphError(100, { details: `The parameter ${type} is required.` }))
  }
  // As the Cloud API: a number in `to`, or a BSUID in `recipient` (`to` wins when both are given).
  let to: string
  if (body.to !== undefined) {
    try {
      to = e164FromProviderDigits(body.to)
    } catch {
      sim.rejections.invalid++
      return reply(graphError(100, { details: 'Invalid parameter: to' }))
    }
  } else if (body.recipient !== undefined && isBsuid(body.recipient)) {
    to = body.recipient
  } else {
    sim.rejections.invalid++
    return reply(graphError(100, { details: body.recipient !== undefined ? 'Invalid parameter: recipient' : 'The parameter to is required.' }))
  }
  const bsuid = isBsuid(to)

  let templateButtons: SentTemplateButton[] = []
  if (type === 'template' && body.template) {
    const checked = sim.templates.check(businessAccountOf(sender), {
      name: body.template.name,
      language: body.template.language.code,
      ...(body.template.components ? { components: body.template.components as TemplateSendShape['components'] } : {}),
    })
    if ('refusal' in checked) {
      sim.rejections.template++
      return reply(graphError(checked.refusal.code, { details: checked.refusal.details }))
    }
    templateButtons = checked.buttons
  }

  if (type === 'interactive') {
    const refusal = checkInteractiveSend(content)
    if (refusal) {
      sim.rejections.invalid++
      return reply(graphError(refusal.code, { details: refusal.details }))
    }
  }

  const decision = sim.faults.decide({ provider: 'whatsapp-cloud', sender: sender.phoneNumberId, to })
  const ended = await applyFault(sim, decision, (code, httpStatus) =>
    reply(graphError(code, httpStatus !== undefined ? { httpStatus } : {})),
  )
  if (ended) return ended

  const now = sim.now()
  if (!sim.admitThroughput(sender.phoneNumberId, sim.capOf(sender.phoneNumberId, sender.throughputPerSecond), now)) {
    sim.rejections.throttled++
    return reply(graphError(130429))
  }
  if (!sim.admitPair(sender.phoneNumberId, to, now)) {
    sim.rejections.pairRateLimited++
    return reply(graphError(131056))
  }

  const windowOpen = sim.isWindowOpen(sender.phoneNumberId, to, now)
  const message = sim.record.add({
    provider: 'whatsapp-cloud',
    providerMessageId: `wamid.HBgM${Buffer.from(`${bsuid ? to : providerDigitsFromE164(to)}:${sim.nextId()}`).toString('base64')}`,
    sender: sender.phoneNumberId,
    senderNumber: sender.displayPhoneNumber,
    to,
    type,
    ...(type === 'text' && body.text ? { text: body.text.body } : {}),
    ...(type === 'template' && body.template
      ? {
          template: {
            name: body.template.name,
            language: body.template.language.code,
            ...(templateButtons.length > 0 ? { buttons: templateButtons } : {}),
          },
        }
      : {}),
    ...(type === 'interactive' ? { interactive: content as RecordedMessage['interactive'] & object } : {}),
    ...(body.biz_opaque_callback_data !== undefined ? { correlation: body.biz_opaque_callback_data } : {}),
    // Meta does not bill what a business sends while the customer-service window is open.
    pricingType: windowOpen ? 'free_customer_service' : 'regular',
    acceptedAt: now,
  })

  // Meta accepts a send outside the window and then reports it failed with 131047.
  const outsideWindow = sim.options.enforceServiceWindow && SESSION_TYPES.has(type) && !windowOpen
  const failureCode = decision.outcome.type === 'fail-delivery' ? decision.outcome.errorCode : outsideWindow ? 131047 : undefined
  sim.scheduleWhatsAppStatuses(sender, message, failureCode)

  if (decision.outcome.type === 'accept-then-timeout') {
    sim.rejections.timeouts++
    return { kind: 'hold', ...(decision.outcome.holdMs !== undefined ? { holdMs: decision.outcome.holdMs } : {}) }
  }
  return reply({
    status: 200,
    body: {
      messaging_product: 'whatsapp',
      contacts: [bsuid ? { input: to, user_id: to } : { input: body.to, wa_id: providerDigitsFromE164(to) }],
      messages: [{ id: message.providerMessageId, ...(type === 'template' ? { message_status: 'accepted' } : {}) }],
    },
  })
}
