import type { ModerationVerdict } from '@banditore/contracts'
import { PermanentMessageError, type Logger } from '@banditore/platform'
import type { Kysely } from 'kysely'
import { parseCommand, type Command } from '../commands/command-parser.js'
import type { PhoneHasher } from '../privacy/phone-hash.js'
import { claimMessage } from '../repositories/processed-message.repository.js'
import type { SubscriptionsDatabase } from '../subscriptions-database.js'
import type { TenantProfile } from '../tenant/tenant-profile.js'
import { describeTopics } from '../tenant/tenant-texts.js'
import { topicMenu } from '../tenant/topic-menu.js'
import { CitizenSession } from './citizen-session.js'
import { converse, keepDeletedForReview } from './conversation.js'
import type { OutboxRelay } from './outbox-relay.js'
import { recordSafetyPollAnswer, safetyPollAnswerOf } from './safety-poll.js'
import { InvalidSignupFormError, readSignupForm } from './signup-form.js'
import { chooseTopics, confirmSignup, requestConfirmation, subscribe, unsubscribe } from './subscription-commands.js'
import type { RemoteExports } from '../privacy/remote-exports.js'

export interface ProcessingDeps {
  db: Kysely<SubscriptionsDatabase>
  profiles: ReadonlyMap<string, TenantProfile>
  hashPhone: PhoneHasher
  clock: () => Date
  logger: Logger
  relay: OutboxRelay
  /** Asks the worker and moderation what they hold of a number (privacy export). */
  remoteExports: RemoteExports
  /** Counts outcomes (metrics). */
  observe?: (tenant: string, outcome: string) => void
}

/** What became of a message, for logs and tests. */
export type VerdictOutcome =
  | 'duplicate'
  | 'unsubscribed'
  | 'not-subscribed'
  | 'dropped'
  | 'sender-blocked'
  | 'ignored-blocked'
  | 'ignored'
  | 'subscribed'
  | 'already'
  | 'name-requested'
  | 'signup-how-to'
  | 'confirmation-requested'
  | 'invalid-form'
  | 'topics'
  | 'topics-help'
  | 'desk'
  | 'desk-closed'
  | 'auto-reply'
  | 'auto-reply-suppressed'
  | 'poll-answer'
  | 'poll-help'

const BLOCKING = new Set(['block', 'report'])

/** A command made only of the tenant's keywords: nothing of the citizen's own words in it. */
const isKeywordOnly = (command: Command): boolean =>
  command.kind === 'topics' || command.kind === 'confirm' || command.kind === 'subscribe-name-missing' || (command.kind === 'subscribe' && command.name === undefined)

async function blockSender(session: CitizenSession, verdict: ModerationVerdict): Promise<void> {
  const language = session.profile.language(session.subscriber?.language)
  const row = await session.ensure(language, session.profile.deliveryChannel(verdict.channel))
  if (row.blocked_at) return
  await session.change('blocked', {
    blocked_at: session.now,
    blocked_by: 'moderation',
    blocked_reason: `${verdict.action}: ${verdict.rules.join(', ') || verdict.categories.join(', ')} (${verdict.rulesetVersion})`.slice(0, 500),
  })
}

async function carryOut(session: CitizenSession, verdict: ModerationVerdict, command: Command): Promise<VerdictOutcome> {
  const message = verdict.message
  const profile = session.profile
  const text = message.text ?? message.interactive?.title ?? null

  // An opt-out is honoured before anything else: whatever the verdict, even from a blocked sender.
  if (command.kind === 'unsubscribe') {
    const gatewayWordOnSms = command.source === 'gateway-word' && message.channel === 'sms'
    const result = await unsubscribe(session, {
      language: command.language,
      door: message.channel,
      evidenceText: text,
      reason: command.source === 'gateway-word' ? 'opt-out word' : 'keyword',
      confirm: !gatewayWordOnSms,
    })
    if (BLOCKING.has(verdict.action)) await blockSender(session, verdict)
    return result
  }
  // An answer to an emergency's safety poll counts whatever the verdict: it is the citizen's
  // safety, and a help request reaches the desk even from a sender the policy blocks.
  if (command.kind === 'message' || command.kind === 'topics-unknown') {
    const answer = await safetyPollAnswerOf(session, message)
    if (answer) {
      const outcome = await recordSafetyPollAnswer(session, message, verdict.action, answer)
      if (BLOCKING.has(verdict.action)) await blockSender(session, verdict)
      return outcome
    }
  }
  // A message that is nothing but the tenant's keywords (TEMI INFO COMUNE, SI, MI ISCRIVO) says
  // nothing a policy could remove: a deletion (a statistical rule misreading a keyword) does not
  // stop it. A name or a form carries the citizen's own text, so those are still moderated.
  if (verdict.action === 'delete' && !isKeywordOnly(command)) {
    if (command.kind === 'message') await keepDeletedForReview(session, message)
    return 'dropped'
  }
  if (BLOCKING.has(verdict.action)) {
    await blockSender(session, verdict)
    return 'sender-blocked'
  }
  if (session.isBlocked) return 'ignored-blocked'
  if (command.kind === 'ignore') return 'ignored'

  if (command.kind === 'form') {
    try {
      await requestConfirmation(session, readSignupForm(message, command.form))
      return 'confirmation-requested'
    } catch (error) {
      if (!(error instanceof InvalidSignupFormError)) throw error
      return 'invalid-form'
    }
  }

  const language = session.subscriber?.language
  await session.ensure(profile.language(language), profile.deliveryChannel(message.channel))
  await session.touch({ last_inbound_at: new Date(message.receivedAt), last_inbound_channel: message.channel })

  switch (command.kind) {
    case 'subscribe':
    case 'subscribe-name-missing':
    case 'confirm': {
      // An answer to a form's confirmation request ("SI", or the keyword itself) completes it.
      if (await confirmSignup(session, { text: text ?? '', language: command.language })) return 'subscribed'
      if (command.kind === 'confirm') break
      if (!profile.acceptsKeywordSignup(message.channel)) {
        const sent = await session.replyWith('signup-how-to', 'signupHowTo', command.language)
        if (!sent) break
        return 'signup-how-to'
      }
      if (command.kind === 'subscribe-name-missing') {
        if (session.isActive) return await subscribe(session, { language: command.language, evidence: keywordEvidence(session, command.language, message.channel, text) })
        await session.replyWith('name-required', 'nameRequired', command.language)
        return 'name-requested'
      }
      return await subscribe(session, { language: command.language, name: command.name ?? null, evidence: keywordEvidence(session, command.language, message.channel, text) })
    }
    case 'topics':
      return (await chooseTopics(session, command.topics, command.language)) ? 'topics' : 'not-subscribed'
    case 'topics-unknown': {
      const lang = profile.language(command.language ?? language)
      // On WhatsApp the same answer goes as the topic menu (an interactive list), the text its fallback.
      const menu = message.channel === 'whatsapp' ? topicMenu(profile.tenant, lang) : undefined
      await session.replyWith('topics-help', 'topicsHelp', lang, { allTopics: describeTopics(profile.tenant, lang) }, undefined, undefined, menu)
      return 'topics-help'
    }
    case 'message':
      break
  }
  return await converse(session, message, verdict.action)
}

/** A keyword sign-up accepts the notice sent with the welcome: the one in the keyword's language. */
function keywordEvidence(session: CitizenSession, language: string, door: 'whatsapp' | 'sms' | 'web' | 'paper', text: string | null) {
  return { door, text, form: null, policyVersion: session.profile.policyVersion(language) }
}

/** Handles one verdict in one transaction: claimed once, the citizen locked, effects in the outbox. */
export async function handleVerdict(deps: ProcessingDeps, verdict: ModerationVerdict): Promise<VerdictOutcome> {
  const profile = deps.profiles.get(verdict.tenant)
  if (!profile) throw new PermanentMessageError(`unknown tenant ${verdict.tenant}`, { code: 'UNKNOWN_TENANT' })
  const message = verdict.message
  if (message.tenant !== verdict.tenant || message.id !== verdict.messageId) {
    throw new PermanentMessageError(`verdict ${verdict.messageId} does not match its message`, { code: 'VERDICT_MISMATCH' })
  }
  const now = deps.clock()
  return await deps.db.transaction().execute(async (trx) => {
    if (!(await claimMessage(trx, profile.id, message.id, now))) return 'duplicate'
    const session = await CitizenSession.open(trx, profile, message.from, now, { message, actor: 'citizen' }, deps.hashPhone)
    const command = parseCommand(profile, message, session.subscriber?.language)
    return await carryOut(session, verdict, command)
  })
}

/** The catalog consumer's handler (it decodes and validates): handle, then publish what the transaction queued. */
export function createVerdictMessageHandler(deps: ProcessingDeps): (verdict: ModerationVerdict) => Promise<void> {
  return async (verdict) => {
    const outcome = await handleVerdict(deps, verdict)
    deps.logger.info({ tenant: verdict.tenant, messageId: verdict.messageId, action: verdict.action, outcome }, 'verdict handled')
    deps.observe?.(verdict.tenant, outcome)
    // Committed already: a failed publish is retried by the relay's sweep, not by redelivery.
    await deps.relay.flush().catch((error: unknown) => deps.logger.warn({ err: error }, 'outbox flush failed; the relay will retry'))
  }
}
