import {
  BlockSenderRequestContract,
  ContractViolationError,
  DataSubjectRequestContract,
  DeskAnswerRequestContract,
  isBsuid,
  RemoveSubscriberRequestContract,
  UnblockSenderRequestContract,
  type Contract,
  type DeskMessage,
} from '@banditore/contracts'
import { normalizePhoneNumber } from '@banditore/providers'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TSchema, Static } from 'typebox'
import { eraseDataSubject, exportDataSubject } from '../privacy/data-subject.js'
import { verifyConsentChain } from '../repositories/consent-ledger.repository.js'
import { answerDeskMessage, blockSender, removeSubscriber, unblockSender, type StaffDeps } from '../processing/staff-actions.js'
import type { OutboxRelay } from '../processing/outbox-relay.js'
import { listDeskMessages } from '../repositories/desk-message.repository.js'
import type { DeskMessageRow } from '../subscriptions-database.js'
import type { TenantProfile } from '../tenant/tenant-profile.js'
import { HttpProblem } from './http-problem.js'
import { StaffPermissions, type StaffGuard } from './staff-auth.js'
import type { RemoteExports } from '../privacy/remote-exports.js'
import { listDailyRoots } from '../privacy/consent-chain-roots.js'

export interface StaffRouteDeps extends StaffDeps {
  profiles: ReadonlyMap<string, TenantProfile>
  authenticate: StaffGuard
  relay: OutboxRelay
  remoteExports: RemoteExports
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function body<S extends TSchema>(contract: Contract<S>, request: FastifyRequest): Static<S> {
  try {
    return contract.parse(request.body)
  } catch (error) {
    if (error instanceof ContractViolationError) throw new HttpProblem(400, 'INVALID_BODY', error.message, { cause: error })
    throw error
  }
}

/**
 * Staff type numbers as they come ("366 769 5184", "+39 ..."): normalized to E.164 or refused. A
 * WhatsApp username-only citizen's address is their BSUID (`US.1234…`): taken exactly as given.
 */
function phoneOf(raw: string): string {
  if (isBsuid(raw.trim())) return raw.trim()
  try {
    return normalizePhoneNumber(raw)
  } catch (cause) {
    throw new HttpProblem(400, 'INVALID_PHONE_NUMBER', 'phone is not a valid phone number', { cause })
  }
}

function toDeskMessage(row: DeskMessageRow): DeskMessage {
  return {
    id: row.id,
    tenant: row.tenant,
    from: row.phone,
    channel: row.channel,
    language: row.language,
    text: row.text,
    media: (row.media as DeskMessage['media'] | null) ?? [],
    moderation: row.moderation,
    receivedAt: row.received_at.toISOString(),
    status: row.status,
    answeredAt: row.answered_at?.toISOString() ?? null,
    answeredBy: row.answered_by,
    answer: row.answer_text,
  }
}

/**
 * The staff API: the desk queue and its answers, blocks, ex officio removals, and the data
 * subject's export and erasure. Every route names its tenant; the caller (a person's access token
 * or an API token) needs a role for it: the desk for the desk, desk or privacy officer for
 * blocks and removals, the privacy officer for export and erasure; a tenant admin for all.
 */
export async function staffRoutes(app: FastifyInstance, deps: StaffRouteDeps): Promise<void> {
  const guard = async (request: FastifyRequest, roles: (typeof StaffPermissions)[keyof typeof StaffPermissions]) => {
    const { tenant } = request.params as { tenant: string }
    const identity = await deps.authenticate(request, tenant, roles)
    const profile = deps.profiles.get(tenant)
    if (!profile) throw new HttpProblem(404, 'TENANT_UNKNOWN', `no tenant ${tenant}`)
    return { identity, profile }
  }
  // Changes are published right away; the relay's sweep retries what fails.
  const publish = () => deps.relay.flush().catch((error: unknown) => app.log.warn({ err: error }, 'outbox flush failed; the relay will retry'))

  app.get('/desk/:tenant/messages', async (request) => {
    const { profile } = await guard(request, StaffPermissions.desk)
    const query = request.query as { status?: string; limit?: string }
    if (query.status !== undefined && query.status !== 'open' && query.status !== 'answered') {
      throw new HttpProblem(400, 'INVALID_QUERY', 'status must be open or answered')
    }
    const limit = query.limit === undefined ? 100 : Number(query.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new HttpProblem(400, 'INVALID_QUERY', 'limit must be an integer from 1 to 500')
    const rows = await listDeskMessages(deps.db, { tenant: profile.id, status: query.status ?? 'open', limit })
    return { messages: rows.map(toDeskMessage) }
  })

  app.post('/desk/:tenant/messages/:id/answer', async (request, reply) => {
    const { identity, profile } = await guard(request, StaffPermissions.desk)
    const { id } = request.params as { id: string }
    if (!UUID.test(id)) throw new HttpProblem(404, 'DESK_MESSAGE_UNKNOWN', `no desk message ${id}`)
    const { text } = body(DeskAnswerRequestContract, request)
    const answer = await answerDeskMessage(deps, profile, id, identity.actor, text)
    await publish()
    return reply.status(201).send(answer)
  })

  app.post('/staff/:tenant/blocks', async (request) => {
    const { identity, profile } = await guard(request, StaffPermissions.senders)
    const { phone, reason } = body(BlockSenderRequestContract, request)
    const result = await blockSender(deps, profile, phoneOf(phone), identity.actor, reason)
    await publish()
    return result
  })

  app.post('/staff/:tenant/unblocks', async (request) => {
    const { identity, profile } = await guard(request, StaffPermissions.senders)
    const { phone } = body(UnblockSenderRequestContract, request)
    const result = await unblockSender(deps, profile, phoneOf(phone), identity.actor)
    await publish()
    return result
  })

  app.post('/staff/:tenant/removals', async (request) => {
    const { identity, profile } = await guard(request, StaffPermissions.senders)
    const { phone, reason } = body(RemoveSubscriberRequestContract, request)
    const result = await removeSubscriber(deps, profile, phoneOf(phone), identity.actor, reason)
    await publish()
    return result
  })

  app.post('/staff/:tenant/privacy/export', async (request, reply) => {
    const { identity, profile } = await guard(request, StaffPermissions.privacy)
    const { phone } = body(DataSubjectRequestContract, request)
    const data = await exportDataSubject(deps, profile.id, phoneOf(phone))
    request.log.info({ tenant: profile.id, staff: identity.principal.subject }, 'data subject export')
    return reply.header('content-disposition', 'attachment; filename="export.json"').send(data)
  })

  // Recomputes the tenant's consent chain and names the first broken link (the CLI `consent:verify` calls it).
  app.get('/staff/:tenant/privacy/consent-ledger/verify', async (request) => {
    const { identity, profile } = await guard(request, StaffPermissions.privacy)
    const result = await verifyConsentChain(deps.db, profile.id, deps.hashPhone)
    request.log.info({ tenant: profile.id, staff: identity.principal.subject, valid: result.valid, brokenAt: result.firstBrokenLink }, 'consent chain verified')
    return result
  })

  // The consent chain's daily roots (what the municipality registers in its protocol), oldest first.
  app.get('/staff/:tenant/privacy/consent-ledger/roots', async (request) => {
    const { profile } = await guard(request, StaffPermissions.privacy)
    return { roots: (await listDailyRoots(deps.db, profile.id)).map(({ tenant: _tenant, ...root }) => root) }
  })

  app.post('/staff/:tenant/privacy/erasure', async (request) => {
    const { identity, profile } = await guard(request, StaffPermissions.privacy)
    const { phone, reason } = body(DataSubjectRequestContract, request)
    const result = await eraseDataSubject(deps, profile, phoneOf(phone), identity.actor, reason)
    request.log.info({ tenant: profile.id, staff: identity.principal.subject, phoneHash: result.phoneHash }, 'data subject erased')
    await publish()
    return result
  })
}
