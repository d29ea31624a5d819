import { readSafetyPollPayload, type InboundMessage, type ModerationAction, type SafetyPollAnswer, type SafetyPollTally } from '@banditore/contracts'
import { sql, type Kysely } from 'kysely'
import { readSafetyPollAnswer } from '../commands/safety-poll-answer.js'
import type { SubscriptionsDatabase } from '../subscriptions-database.js'
import { fillText } from '../tenant/tenant-texts.js'
import type { CitizenSession } from './citizen-session.js'
import { queueForDesk } from './conversation.js'

type Db = Kysely<SubscriptionsDatabase>

/** What the citizen is told once their answer is counted (in their language; the tenant may set its own). */
const THANKS: Record<string, Record<SafetyPollAnswer, string>> = {
  it: {
    ok: 'Grazie, abbiamo registrato che stai bene.',
    help: 'Abbiamo ricevuto la tua richiesta di aiuto: il Comune ti contatterà al più presto. Se sei in pericolo immediato chiama il 112.',
  },
  fr: {
    ok: 'Merci, nous avons noté que vous allez bien.',
    help: "Nous avons reçu votre demande d'aide : la commune vous contactera au plus vite. En cas de danger immédiat, appelez le 112.",
  },
}

/** The tenant's open polls at `at`, newest first (an alert and its update may both ask). */
async function openPolls(db: Db, tenant: string, at: Date) {
  return await db
    .selectFrom('safety_poll')
    .select(['poll_id', 'opened_at'])
    .where('tenant', '=', tenant)
    .where('closed_at', 'is', null)
    .where('opened_at', '<=', at)
    .where('closes_at', '>', at)
    .orderBy('opened_at', 'desc')
    .execute()
}

/**
 * A subscriber's message while a poll of the tenant is open, read as an answer: the poll and the
 * answer, or undefined (then it is an ordinary message). Only those the poll asked answer it:
 * subscribed when it opened.
 */
export async function safetyPollAnswerOf(session: CitizenSession, message: InboundMessage): Promise<{ pollId: string; answer: SafetyPollAnswer } | undefined> {
  const subscriber = session.subscriber
  if (!subscriber || !session.isActive) return undefined
  const received = new Date(message.receivedAt)
  const polls = await openPolls(session.trx, session.tenant, received)
  if (polls.length === 0) return undefined
  const buttonId = message.interactive?.id
  const named = buttonId ? readSafetyPollPayload(buttonId)?.pollId : undefined
  const poll = named ? polls.find((p) => p.poll_id === named) : polls[0]
  if (!poll) return undefined
  const since = subscriber.subscribed_at ?? subscriber.created_at
  if (since > poll.opened_at) return undefined
  const answer = readSafetyPollAnswer(poll.poll_id, { text: message.interactive?.title ?? message.text, buttonId })
  return answer ? { pollId: poll.poll_id, answer } : undefined
}

/**
 * Counts the answer (one row per citizen and poll: a later answer replaces the earlier one), puts
 * a help request on the desk as urgent (whatever the desk's hours: an emergency does not keep
 * office hours), and thanks the citizen when the answer is new or changed.
 */
export async function recordSafetyPollAnswer(
  session: CitizenSession,
  message: InboundMessage,
  moderation: ModerationAction,
  poll: { pollId: string; answer: SafetyPollAnswer },
): Promise<'poll-answer' | 'poll-help'> {
  const subscriber = session.subscriber!
  const at = new Date(message.receivedAt)
  const channel = message.channel === 'sms' ? 'sms' : 'whatsapp'
  const previous = await session.trx
    .selectFrom('safety_poll_answer')
    .select('answer')
    .where('tenant', '=', session.tenant)
    .where('poll_id', '=', poll.pollId)
    .where('subscriber_id', '=', subscriber.id)
    .forUpdate()
    .executeTakeFirst()
  await session.trx
    .insertInto('safety_poll_answer')
    .values({ tenant: session.tenant, poll_id: poll.pollId, subscriber_id: subscriber.id, answer: poll.answer, first_answered_at: at, answered_at: at, channel })
    .onConflict((oc) =>
      oc.columns(['tenant', 'poll_id', 'subscriber_id']).doUpdateSet({
        answer: (eb) => eb.ref('excluded.answer'),
        answered_at: (eb) => eb.ref('excluded.answered_at'),
        channel: (eb) => eb.ref('excluded.channel'),
        answers: sql`subscriptions.safety_poll_answer.answers + 1`,
      }),
    )
    .execute()
  await session.touch({ last_inbound_at: at, last_inbound_channel: message.channel })
  const language = session.profile.language(subscriber.language)
  if (poll.answer === 'help') {
    await queueForDesk(session, message, moderation, language, true)
  }
  if (previous?.answer !== poll.answer) {
    const key = poll.answer === 'ok' ? 'pollThanksOk' : 'pollThanksHelp'
    const own = session.profile.tenant.texts[language]?.[key]
    const text = own ? fillText(session.profile.tenant, language, own) : (THANKS[language] ?? THANKS.it!)[poll.answer]
    await session.replyText(`safety-poll-${poll.answer}`, text)
  }
  return poll.answer === 'help' ? 'poll-help' : 'poll-answer'
}

/** Opens or closes a poll; opening twice (a retried activity) changes nothing. */
export async function setSafetyPollState(db: Db, request: { tenant: string; pollId: string; state: 'open' | 'closed'; at: Date; closesAt?: Date }): Promise<void> {
  if (request.state === 'open') {
    await db
      .insertInto('safety_poll')
      .values({ tenant: request.tenant, poll_id: request.pollId, opened_at: request.at, closes_at: request.closesAt ?? request.at, closed_at: null })
      .onConflict((oc) => oc.columns(['tenant', 'poll_id']).doNothing())
      .execute()
    return
  }
  await db
    .updateTable('safety_poll')
    .set({ closed_at: request.at })
    .where('tenant', '=', request.tenant)
    .where('poll_id', '=', request.pollId)
    .where('closed_at', 'is', null)
    .execute()
}

/** The count: each citizen once, by their latest answer; help requests still open on the desk. */
export async function safetyPollTally(db: Db, tenant: string, pollId: string, now: Date): Promise<SafetyPollTally> {
  const poll = await db.selectFrom('safety_poll').selectAll().where('tenant', '=', tenant).where('poll_id', '=', pollId).executeTakeFirst()
  const none: SafetyPollTally = { version: 1, pollId, state: 'unknown', ok: 0, help: 0, helpWaiting: 0, openedAt: null, closesAt: null, lastAnswerAt: null }
  if (!poll) return none
  const counts = await sql<{ ok: number; help: number; help_waiting: number; last_at: Date | null }>`
    select count(*) filter (where a.answer = 'ok')::int as ok,
      count(*) filter (where a.answer = 'help')::int as help,
      count(*) filter (where a.answer = 'help' and exists (
        select 1 from subscriptions.desk_message m
        where m.tenant = a.tenant and m.subscriber_id = a.subscriber_id and m.urgent and m.status = 'open' and m.received_at >= a.first_answered_at
      ))::int as help_waiting,
      max(a.answered_at) as last_at
    from subscriptions.safety_poll_answer a
    where a.tenant = ${tenant} and a.poll_id = ${pollId}
  `.execute(db)
  const row = counts.rows[0]
  const open = poll.closed_at === null && poll.closes_at > now
  return {
    ...none,
    state: open ? 'open' : 'closed',
    ok: row?.ok ?? 0,
    help: row?.help ?? 0,
    helpWaiting: row?.help_waiting ?? 0,
    openedAt: poll.opened_at.toISOString(),
    closesAt: (poll.closed_at ?? poll.closes_at).toISOString(),
    lastAnswerAt: row?.last_at ? new Date(row.last_at).toISOString() : null,
  }
}
