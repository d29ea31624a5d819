import { randomBytes, timingSafeEqual } from 'node:crypto'
import { applyFault } from './graph-send-handler.js'
import { twilioError } from './provider-error-catalog.js'
import type { ProviderSimulator, SimReply } from './provider-simulator.js'
import { formValue, type FormParams, normalizePhoneNumber, CORRELATION_QUERY_PARAMETER } from '@banditore/providers'

const reply = (response: { status: number; body: unknown }): SimReply => ({ kind: 'reply', ...response })

function credentialsMatch(authorization: string | undefined, accountSid: string, authToken: string): boolean {
  const encoded = /^Basic (.+)$/i.exec(authorization ?? '')?.[1]
  if (!encoded) return false
  const received = Buffer.from(encoded, 'base64')
  const expected = Buffer.from(`${accountSid}:${authToken}`)
  return received.length === expected.length && timingSafeEqual(received, expected)
}

/** Twilio's date format: RFC 2822 in UTC. */
const rfc2822 = (at: number) => new Date(at).toUTCString().replace('GMT', '+0000')

function correlationOf(callbackUrl: string | undefined): string | undefined {
  if (!callbackUrl) return undefined
  try {
    return new URL(callbackUrl).searchParams.get(CORRELATION_QUERY_PARAMETER) ?? undefined
  } catch {
    return undefined
  }
}

/** POST /2010-04-01/Accounts/{AccountSid}/Messages.json, as Twilio answers it. */
export async function handleTwilioSend(
  sim: ProviderSimulator,
  request: { accountSid: string; authorization: string | undefined; params: FormParams },
): Promise<SimReply> {
  const account = sim.senders.twilioAccount(request.accountSid)
  if (!account || !credentialsMatch(request.authorization, account.accountSid, account.authToken)) {
    sim.rejections.unauthorized++
    return reply(twilioError(20003))
  }
  const params = request.params
  const rawTo = formValue(params, 'To')
  const rawFrom = formValue(params, 'From')
  const body = formValue(params, 'Body') ?? ''
  const mediaUrls = params.MediaUrl === undefined ? [] : typeof params.MediaUrl === 'string' ? [params.MediaUrl] : [...params.MediaUrl]
  const statusCallback = formValue(params, 'StatusCallback')
  if (!rawTo) {
    sim.rejections.invalid++
    return reply(twilioError(21604))
  }
  let to: string
  try {
    to = normalizePhoneNumber(rawTo, { validation: 'valid' })
  } catch {
    sim.rejections.invalid++
    return reply(twilioError(21211, { message: `The 'To' number ${rawTo} is not a valid phone number.` }))
  }
  // From: one of the account's numbers, or one of its alphanumeric sender IDs (sent, and paced,
  // through the account's first number; nobody can answer it).
  const senderId = rawFrom !== undefined && account.senderIds?.includes(rawFrom) ? rawFrom : undefined
  const first = account.numbers[0]
  const number = senderId !== undefined ? (first ? sim.senders.twilioNumber(first.number) : undefined) : rawFrom ? sim.senders.twilioNumber(rawFrom) : undefined
  if (!number || number.account.accountSid !== account.accountSid) {
    sim.rejections.invalid++
    return reply(twilioError(21606))
  }
  const from = senderId ?? number.number
  if (body.length === 0 && mediaUrls.length === 0) {
    sim.rejections.invalid++
    return reply(twilioError(21602))
  }
  if (sim.isOptedOut(to, number.number)) {
    sim.rejections.optedOut++
    return reply(twilioError(21610))
  }

  const decision = sim.faults.decide({ provider: 'sms-gateway', sender: number.number, to })
  const ended = await applyFault(sim, decision, (code, httpStatus) =>
    reply(twilioError(code, httpStatus !== undefined ? { httpStatus } : {})),
  )
  if (ended) return ended

  const now = sim.now()
  if (!sim.admitThroughput(number.number, sim.capOf(number.number, number.throughputPerSecond), now)) {
    sim.rejections.throttled++
    return reply(twilioError(20429))
  }

  const correlation = correlationOf(statusCallback)
  const message = sim.record.add({
    provider: 'sms-gateway',
    providerMessageId: `SM${randomBytes(16).toString('hex')}`,
    sender: from,
    senderNumber: number.number,
    to,
    type: 'sms',
    text: body,
    ...(correlation !== undefined ? { correlation } : {}),
    acceptedAt: now,
  })
  if (statusCallback) sim.smsCallbackUrls.set(message.providerMessageId, statusCallback)
  sim.scheduleSmsStatuses(
    account,
    message,
    statusCallback,
    decision.outcome.type === 'fail-delivery' ? decision.outcome.errorCode : undefined,
  )

  if (decision.outcome.type === 'accept-then-timeout') {
    sim.rejections.timeouts++
    return { kind: 'hold', ...(decision.outcome.holdMs !== undefined ? { holdMs: decision.outcome.holdMs } : {}) }
  }
  const path = `/2010-04-01/Accounts/${account.accountSid}/Messages/${message.providerMessageId}`
  return reply({
    status: 201,
    body: {
      account_sid: account.accountSid,
      api_version: '2010-04-01',
      body,
      date_created: rfc2822(now),
      date_sent: null,
      date_updated: rfc2822(now),
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from,
      messaging_service_sid: null,
      num_media: String(mediaUrls.length),
      num_segments: String(Math.max(1, Math.ceil(body.length / 153))),
      price: null,
      price_unit: 'USD',
      sid: message.providerMessageId,
      status: 'queued',
      subresource_uris: { media: `${path}/Media.json` },
      to,
      uri: `${path}.json`,
    },
  })
}
