import { describeTopics } from '../tenant/tenant-texts.js'
import { latestConsentPolicy } from '../repositories/consent-ledger.repository.js'
import { addPendingConfirmation, cancelOpenConfirmations, markConfirmed, openConfirmation } from '../repositories/pending-confirmation.repository.js'
import type { Door } from '../subscriptions-database.js'
import type { CitizenSession } from './citizen-session.js'
import type { SignupRequest } from './signup-form.js'

/** How the citizen consented: what the ledger keeps as evidence. */
export interface ConsentEvidence {
  door: Door | 'import'
  text: string | null
  form: unknown
  policyVersion: string
}

export interface SubscribeInput {
  language: string
  name?: string | null
  topics?: string[] | null
  evidence: ConsentEvidence
}

/**
 * Subscribes (or re-subscribes) the citizen, records the consent and sends the welcome and the
 * privacy notice in their language. Someone already subscribed gets `alreadySubscribed`; a
 * provider stop flag (WhatsApp 131050) is cleared, since they asked again.
 */
export async function subscribe(session: CitizenSession, input: SubscribeInput): Promise<'subscribed' | 'already'> {
  const profile = session.profile
  const language = profile.language(input.language)
  const channel = profile.deliveryChannel(input.evidence.door)
  const row = await session.ensure(language, channel)
  if (row.status === 'active') {
    if (row.channel_stopped_at) await session.change('subscribed', { channel_stopped_at: null, channel_stopped_code: null })
    if (input.name && input.name !== row.name) await session.touch({ name: input.name })
    if (language !== row.language) await session.change('language-changed', { language })
    await session.replyWith('already-subscribed', 'alreadySubscribed', language, { name: session.subscriber?.name })
    return 'already'
  }
  const topics = input.topics ? profile.chosenTopics(input.topics) : profile.defaultTopics()
  const welcomeId = session.replyId('welcome')
  await session.change('subscribed', {
    status: 'active',
    language,
    channel,
    name: input.name ?? row.name,
    topics,
    subscribed_at: session.now,
    unsubscribed_at: null,
    channel_stopped_at: null,
    channel_stopped_code: null,
  })
  await session.recordConsent({
    event: 'subscribed',
    door: input.evidence.door,
    delivery_channel: channel,
    evidence_text: input.evidence.text,
    evidence_form: input.evidence.form === null ? null : JSON.stringify(input.evidence.form),
    language,
    policy_version: input.evidence.policyVersion,
    confirmation_message_id: welcomeId,
    reason: null,
    occurred_at: session.now,
    redacted_at: null,
    redaction: null,
  })
  const topicNames = describeTopics(profile.tenant, language, topics)
  await session.replyWith('welcome', 'welcome', language, {
    name: session.subscriber?.name,
    topics: topicNames,
    allTopics: describeTopics(profile.tenant, language),
  })
  await session.replyText('privacy', profile.privacyText(language))
  return 'subscribed'
}

export interface UnsubscribeInput {
  language: string | undefined
  door: Door | 'staff' | 'provider'
  evidenceText: string | null
  reason: string
  /** False for an SMS gateway's own opt-out word: the gateway confirms it and blocks our SMS. */
  confirm: boolean
}

/**
 * Unsubscribes at once, whatever moderation or a block says, and withdraws a pending form
 * sign-up. The withdrawal is recorded with the policy version that was consented to.
 */
export async function unsubscribe(session: CitizenSession, input: UnsubscribeInput): Promise<'unsubscribed' | 'not-subscribed'> {
  const row = session.subscriber
  const language = session.profile.language(input.language ?? row?.language)
  const cancelled = await cancelOpenConfirmations(session.trx, session.tenant, session.phone, session.now)
  const wasActive = row?.status === 'active'
  const confirmationId = input.confirm ? session.replyId('unsubscribed') : null
  if (row && (wasActive || cancelled > 0)) {
    if (wasActive) await session.change('unsubscribed', { status: 'inactive', unsubscribed_at: session.now })
    await session.recordConsent({
      event: 'unsubscribed',
      door: input.door,
      delivery_channel: row.channel,
      evidence_text: input.evidenceText,
      evidence_form: null,
      language,
      policy_version: await latestConsentPolicy(session.trx, row.id),
      confirmation_message_id: confirmationId,
      reason: input.reason,
      occurred_at: session.now,
      redacted_at: null,
      redaction: null,
    })
  }
  if (input.confirm) await session.replyWith('unsubscribed', 'unsubscribed', language)
  return wasActive ? 'unsubscribed' : 'not-subscribed'
}

/** Sets the subscriber's topics (always-on topics stay implied) and confirms them. */
export async function chooseTopics(session: CitizenSession, topicIds: string[], language: string | undefined): Promise<boolean> {
  const row = session.subscriber
  const profile = session.profile
  const lang = profile.language(language ?? row?.language)
  if (!row || row.status !== 'active') {
    await session.replyWith('not-subscribed', 'notSubscribed', lang)
    return false
  }
  const topics = profile.chosenTopics(topicIds)
  if (topics.join(',') !== row.topics.join(',')) await session.change('topics-changed', { topics })
  if (lang !== row.language) await session.change('language-changed', { language: lang })
  await session.replyWith('topics', 'topicsChanged', lang, { topics: describeTopics(profile.tenant, lang, topics) })
  return true
}

/**
 * A web or paper form: records the declared consent and asks the number to confirm it (double
 * opt-in). Nothing is subscribed until the citizen answers within the validity period.
 */
export async function requestConfirmation(session: CitizenSession, request: SignupRequest): Promise<void> {
  const profile = session.profile
  const language = profile.language(request.language)
  const channel = profile.deliveryChannel(request.door)
  await session.ensure(language, channel)
  const requestId = session.replyId('confirmation-request')
  const validityMs = profile.confirmationValidityHours() * 3_600_000
  await addPendingConfirmation(session.trx, {
    tenant: session.tenant,
    phone: session.phone,
    language,
    name: request.name,
    topics: request.topics,
    delivery_channel: channel,
    door: request.door,
    form: JSON.stringify(request.form),
    policy_version: request.policyVersion,
    inbound_message_id: request.messageId,
    request_reply_id: requestId,
    requested_at: session.now,
    expires_at: new Date(session.now.getTime() + validityMs),
    confirmed_at: null,
  })
  await session.recordConsent({
    event: 'signup-requested',
    door: request.door,
    delivery_channel: channel,
    evidence_text: null,
    evidence_form: JSON.stringify(request.form),
    language,
    policy_version: request.policyVersion,
    confirmation_message_id: requestId,
    reason: null,
    occurred_at: session.now,
    redacted_at: null,
    redaction: null,
  })
  const approved = profile.tenant.signup.whatsappConfirmationTemplate
  const template = approved && {
    name: approved.name,
    languageCode: approved.languages[language] ?? approved.languages[profile.tenant.languages[0] as string] ?? language,
    bodyParameters: [profile.tenant.keywords.confirm?.[language]?.[0] ?? 'SI', String(profile.confirmationValidityHours())],
  }
  await session.replyWith('confirmation-request', 'confirmationRequest', language, {}, profile.confirmationRequestChannel(), template)
}

/**
 * The citizen's answer to a confirmation request. Returns false when nothing is pending (the
 * caller then treats the text as an ordinary message).
 */
export async function confirmSignup(session: CitizenSession, answer: { text: string; language: string }): Promise<boolean> {
  const pending = await openConfirmation(session.trx, session.tenant, session.phone, session.now)
  if (!pending) return false
  await markConfirmed(session.trx, pending.id, session.now)
  const message = session.origin.message
  await subscribe(session, {
    language: pending.language,
    name: pending.name,
    topics: pending.topics,
    evidence: {
      door: pending.door,
      text: answer.text,
      form: {
        form: pending.form,
        formMessageId: pending.inbound_message_id,
        confirmationRequestId: pending.request_reply_id,
        requestedAt: pending.requested_at.toISOString(),
        answer: answer.text,
        answerMessageId: message?.id ?? null,
        answerChannel: message?.channel ?? null,
      },
      policyVersion: pending.policy_version,
    },
  })
  return true
}
