import {
  InboundMessageContract,
  PaperSignupFormContract,
  type ConsentLedgerEntry,
  type CounterSignupRequest,
  type CounterSignupResult,
  type InboundMessage,
  type SubscriberDetail,
  type SubscriberOptions,
  type SubscriberSearchResult,
  type SubscriberSummary,
} from '@banditore/contracts'
import { normalizePhoneNumber } from '@banditore/providers'
import { HttpProblem } from '../routes/http-problem.js'
import { consentHistory } from '../repositories/consent-ledger.repository.js'
import { claimMessage } from '../repositories/processed-message.repository.js'
import { recordStaffAction, staffActionsAbout } from '../repositories/staff-audit.repository.js'
import { findByPhoneHash, searchByName } from '../repositories/subscriber-search.repository.js'
import { findSubscriber } from '../repositories/subscriber.repository.js'
import type { Subscriber } from '../subscriptions-database.js'
import type { TenantProfile } from '../tenant/tenant-profile.js'
import { CitizenSession } from './citizen-session.js'
import { readSignupForm } from './signup-form.js'
import { requestConfirmation } from './subscription-commands.js'
import type { StaffDeps } from './staff-actions.js'

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null)

/** Looks like a phone number typed by staff: digits with the usual separators, at least six digits. */
export function looksLikePhone(query: string): boolean {
  return /^[+(]?[\d\s()./-]+$/.test(query.trim()) && query.replace(/\D/g, '').length >= 6
}

/** A number in any usual form (`347 123 4567`, `0039 347…`, `+39-347…`) as E.164, or null. */
export function normalizeStaffPhone(raw: string, validation: 'valid' | 'possible' = 'possible'): string | null {
  try {
    return normalizePhoneNumber(raw.trim().replace(/^00/, '+'), { defaultRegion: 'IT', validation })
  } catch {
    return null
  }
}

export function summaryOf(profile: TenantProfile, row: Subscriber): SubscriberSummary {
  return {
    id: row.id,
    phone: row.phone,
    name: row.name,
    channel: row.channel,
    language: row.language,
    status: row.status,
    topics: row.status === 'active' ? profile.topics.filter((t) => t.alwaysOn || row.topics.includes(t.id)).map((t) => t.id) : [],
    blocked: Boolean(row.blocked_at),
    subscribedAt: iso(row.subscribed_at),
  }
}

/** Search by number (normalized, then looked up by its keyed hash) or by name. */
export async function searchSubscribers(deps: StaffDeps, profile: TenantProfile, query: string): Promise<SubscriberSearchResult> {
  const text = query.trim()
  if (looksLikePhone(text)) {
    const phone = normalizeStaffPhone(text)
    if (!phone) return { matchedBy: 'phone', subscribers: [] }
    const row = await findByPhoneHash(deps.db, profile.id, deps.hashPhone(profile.id, phone))
    return { matchedBy: 'phone', subscribers: row ? [summaryOf(profile, row)] : [] }
  }
  const rows = await searchByName(deps.db, profile.id, text, 50)
  return { matchedBy: 'name', subscribers: rows.map((r) => summaryOf(profile, r)) }
}

function ledgerEntry(row: Awaited<ReturnType<typeof consentHistory>>[number]): ConsentLedgerEntry {
  return {
    id: row.id,
    event: row.event,
    door: row.door,
    deliveryChannel: row.delivery_channel,
    evidenceText: row.evidence_text,
    evidenceForm: row.evidence_form ?? null,
    language: row.language,
    policyVersion: row.policy_version,
    actor: row.actor,
    reason: row.reason,
    occurredAt: row.occurred_at.toISOString(),
    redaction: row.redaction,
  }
}

/** A subscriber's page: state, the consent ledger in order, pending sign-ups, staff actions. */
export async function subscriberDetail(deps: StaffDeps, profile: TenantProfile, row: Subscriber): Promise<SubscriberDetail> {
  const [ledger, pending, audit] = await Promise.all([
    consentHistory(deps.db, profile.id, row.phone_hash),
    deps.db.selectFrom('pending_confirmation').selectAll().where('tenant', '=', profile.id).where('phone', '=', row.phone).orderBy('requested_at').execute(),
    staffActionsAbout(deps.db, profile.id, row.phone_hash),
  ])
  return {
    tenant: profile.id,
    subscriber: {
      ...summaryOf(profile, row),
      blockedAt: iso(row.blocked_at),
      blockedReason: row.blocked_reason,
      blockedBy: row.blocked_by,
      unsubscribedAt: iso(row.unsubscribed_at),
      channelStoppedAt: iso(row.channel_stopped_at),
      lastInboundAt: iso(row.last_inbound_at),
      createdAt: row.created_at.toISOString(),
    },
    consentLedger: ledger.map(ledgerEntry),
    pendingConfirmations: pending.map((p) => ({
      door: p.door,
      requestedAt: p.requested_at.toISOString(),
      expiresAt: p.expires_at.toISOString(),
      confirmedAt: iso(p.confirmed_at),
      policyVersion: p.policy_version,
    })),
    audit: audit.map((a) => ({ id: a.id, actor: a.actor, action: a.action, detail: a.detail, occurredAt: a.occurred_at.toISOString() })),
  }
}

export function subscriberOptions(profile: TenantProfile): SubscriberOptions {
  const tenant = profile.tenant
  const language = profile.defaultLanguage
  return {
    tenant: profile.id,
    languages: [...tenant.languages],
    channels: (['whatsapp', 'sms'] as const).filter((c) => Boolean(tenant.channels[c])),
    topics: tenant.topics.map((t) => ({ id: t.id, name: t.names[language] ?? t.id, alwaysOn: t.alwaysOn === true })),
    paperSignup: (tenant.signup.doors as string[]).includes('paper'),
    confirmationValidityHours: profile.confirmationValidityHours(),
  }
}

/**
 * A paper form signed at the URP counter, typed in by the operator: the same InboundMessage
 * ingest's paper door builds (`paper-form:<tenant>:<reference>`, so the same form typed twice,
 * here or there, is recorded once), then the form sign-up path every form takes: a declared
 * consent in the ledger and a confirmation request to the number (double opt-in).
 */
export async function recordCounterSignup(deps: StaffDeps, profile: TenantProfile, input: CounterSignupRequest, actor: string): Promise<CounterSignupResult> {
  const tenant = profile.tenant
  if (!(tenant.signup.doors as string[]).includes('paper')) throw new HttpProblem(403, 'DOOR_CLOSED', 'Questo Comune non accetta iscrizioni da moduli cartacei.')
  const phone = normalizeStaffPhone(input.phone, 'valid')
  if (!phone) throw new HttpProblem(400, 'INVALID_PHONE_NUMBER', 'Il numero di telefono non è valido.')
  const language = input.language ?? profile.defaultLanguage
  if (!tenant.languages.includes(language)) throw new HttpProblem(400, 'UNKNOWN_LANGUAGE', 'Lingua non disponibile per questo Comune.')
  const unknown = input.topics.find((t) => !profile.hasTopic(t))
  if (unknown !== undefined) throw new HttpProblem(400, 'UNKNOWN_TOPIC', `Argomento non disponibile: ${unknown}.`)
  const name = input.name.normalize('NFC').replace(/\s+/g, ' ').trim()
  if (!name) throw new HttpProblem(400, 'NAME_REQUIRED', 'Indica nome e cognome.')
  const now = deps.clock()
  const signed = new Date(`${input.signedAt}T00:00:00Z`)
  if (Number.isNaN(signed.getTime()) || signed.toISOString().slice(0, 10) !== input.signedAt) throw new HttpProblem(400, 'INVALID_DATE', 'La data di firma non è valida.')
  if (signed.getTime() > now.getTime() + 24 * 3_600_000) throw new HttpProblem(400, 'SIGNED_IN_FUTURE', 'La data di firma non può essere nel futuro.')

  const at = now.toISOString()
  const message: InboundMessage = InboundMessageContract.parse({
    version: 1,
    id: `paper-form:${profile.id}:${input.formReference}`,
    tenant: profile.id,
    channel: 'paper',
    provider: 'paper-form',
    providerMessageId: input.formReference,
    from: phone,
    to: 'paper-form:signup',
    type: 'form',
    form: PaperSignupFormContract.parse({
      kind: 'paper-signup',
      name,
      topics: [...new Set(input.topics)],
      policyVersion: profile.policyVersion(language),
      consent: true,
      language,
      operator: actor,
      formReference: input.formReference,
      signedAt: input.signedAt,
      enteredAt: at,
    }),
    sentAt: at,
    receivedAt: at,
  })

  return await deps.db.transaction().execute(async (trx) => {
    if (!(await claimMessage(trx, profile.id, message.id, now))) {
      const known = await findSubscriber(trx, profile.id, phone)
      return { status: 'already-recorded' as const, subscriberId: known?.id ?? '', message: 'Modulo già registrato in precedenza.' }
    }
    const session = await CitizenSession.open(trx, profile, phone, now, { message, actor }, deps.hashPhone)
    if (session.isBlocked) throw new HttpProblem(409, 'SENDER_BLOCKED', 'Il numero è bloccato: sbloccalo prima di registrare il modulo.')
    if (session.isActive) throw new HttpProblem(409, 'ALREADY_SUBSCRIBED', 'Il numero è già iscritto al servizio.')
    await requestConfirmation(session, readSignupForm(message, message.form as Record<string, unknown>))
    const row = session.subscriber!
    await recordStaffAction(trx, {
      tenant: profile.id,
      actor,
      action: 'paper-signup',
      subscriberId: row.id,
      phoneHash: row.phone_hash,
      detail: { formReference: input.formReference, signedAt: input.signedAt },
      at: now,
    })
    return {
      status: 'confirmation-requested' as const,
      subscriberId: row.id,
      message: `Modulo registrato: al numero è stata inviata la richiesta di conferma, valida ${profile.confirmationValidityHours()} ore.`,
    }
  })
}
