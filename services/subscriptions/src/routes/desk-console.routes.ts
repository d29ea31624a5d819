import { ContractViolationError, defineContract, type Contract } from '@banditore/contracts'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import Type, { type Static, type TSchema } from 'typebox'
import { answerConversation, assignConversation, conversationWindow, markConversationAnswered, openConversation, templateFor } from '../processing/desk-actions.js'
import type { OutboxRelay } from '../processing/outbox-relay.js'
import { blockSender, type StaffDeps } from '../processing/staff-actions.js'
import { deskRevision, listConversations, recordDeskAction } from '../repositories/desk-console.repository.js'
import type { DeskMessageRow } from '../subscriptions-database.js'
import { loadOfficeOverrides, officeState, type OfficeOverride } from '../tenant/desk-calendar.js'
import { describeOfficeHours } from '../tenant/office-hours.js'
import type { TenantProfile } from '../tenant/tenant-profile.js'
import { HttpProblem } from './http-problem.js'
import { StaffPermissions, type StaffGuard, type StaffIdentity } from './staff-auth.js'

export interface DeskConsoleRouteDeps extends StaffDeps {
  profiles: ReadonlyMap<string, TenantProfile>
  authenticate: StaffGuard
  relay: OutboxRelay
  /** How often the live stream looks for changes, ms. */
  streamIntervalMs?: number
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const NonEmpty = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S' })

const AnswerRequest = defineContract(
  'DeskConversationAnswerRequest',
  Type.Union([
    Type.Object({ text: NonEmpty(4096) }, { additionalProperties: false }),
    Type.Object(
      { template: Type.Object({ name: Type.String({ pattern: '^[a-z0-9_]{1,512}$' }), parameters: Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 20 }) }, { additionalProperties: false }) },
      { additionalProperties: false },
    ),
  ]),
)
const AssignRequest = defineContract('DeskAssignRequest', Type.Object({ assignee: Type.Union([Type.Literal('me'), Type.Null(), NonEmpty(200)]) }, { additionalProperties: false }))
const BlockRequest = defineContract('DeskBlockRequest', Type.Object({ reason: NonEmpty(500), report: Type.Optional(Type.Boolean()) }, { additionalProperties: false }))
const OverrideRequest = defineContract(
  'DeskOfficeOverrideRequest',
  Type.Object(
    {
      kind: Type.Union([Type.Literal('closed'), Type.Literal('open')]),
      startsAt: Type.String({ format: 'date-time' }),
      endsAt: Type.String({ format: 'date-time' }),
      reason: NonEmpty(200),
    },
    { additionalProperties: false },
  ),
)
const CannedRequest = defineContract('DeskCannedAnswerRequest', Type.Object({ title: NonEmpty(120), text: NonEmpty(4096) }, { additionalProperties: false }))

function body<S extends TSchema>(contract: Contract<S>, request: FastifyRequest): Static<S> {
  try {
    return contract.parse(request.body)
  } catch (error) {
    if (error instanceof ContractViolationError) throw new HttpProblem(400, 'INVALID_BODY', error.message, { cause: error })
    throw error
  }
}

function idParam(request: FastifyRequest, name: string, code: string): string {
  const id = (request.params as Record<string, string>)[name] ?? ''
  if (!UUID.test(id)) throw new HttpProblem(404, code, `no ${name} ${id}`)
  return id
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null)

function overrideView(o: OfficeOverride & { createdBy?: string }) {
  return { id: o.id, kind: o.kind, startsAt: o.startsAt.toISOString(), endsAt: o.endsAt.toISOString(), reason: o.reason, ...(o.createdBy ? { createdBy: o.createdBy } : {}) }
}

function messageView(row: DeskMessageRow) {
  return {
    id: row.id,
    kind: 'message' as const,
    at: row.received_at.toISOString(),
    channel: row.channel,
    text: row.text,
    media: (row.media as unknown[] | null) ?? [],
    moderation: row.moderation,
    status: row.status,
    answeredAt: iso(row.answered_at),
    answeredBy: row.answered_by,
    urgent: row.urgent,
  }
}

/**
 * The desk as the console works it: conversations by citizen, their timeline with moderation
 * verdicts and the 24-hour window, answers in free text or by template, assignment, "answered",
 * block and report; the office-hours state with extraordinary closures and openings; canned
 * answers; the audit trail; and a server-sent event stream that says when anything changed.
 * The `desk` role of the tenant (or its admin); deleted messages are shown to admins only.
 */
export async function deskConsoleRoutes(app: FastifyInstance, deps: DeskConsoleRouteDeps): Promise<void> {
  const streams = new Set<() => void>()
  app.addHook('onClose', async () => {
    for (const close of [...streams]) close()
  })
  const guard = async (request: FastifyRequest) => {
    const { tenant } = request.params as { tenant: string }
    const identity = await deps.authenticate(request, tenant, StaffPermissions.desk)
    const profile = deps.profiles.get(tenant)
    if (!profile) throw new HttpProblem(404, 'TENANT_UNKNOWN', `no tenant ${tenant}`)
    return { identity, profile }
  }
  /** Who sees the messages moderation deleted: those who review moderation (admins). */
  const reviews = (identity: StaffIdentity, tenant: string) => identity.principal.hasRole(tenant, ['admin'])
  const publish = () => deps.relay.flush().catch((error: unknown) => app.log.warn({ err: error }, 'outbox flush failed; the relay will retry'))

  const officeOf = async (profile: TenantProfile) => {
    const now = deps.clock()
    const tenant = profile.tenant
    const overrides = await loadOfficeOverrides(deps.db, tenant.id, now)
    const state = officeState(tenant.officeHours, tenant.timezone ?? 'Europe/Rome', overrides, now)
    return {
      now: now.toISOString(),
      open: state.open,
      nextChangeAt: iso(state.nextChangeAt),
      override: state.override ? overrideView(state.override) : null,
      weekly: tenant.officeHours ? describeOfficeHours(tenant.officeHours, 'it') : null,
      timezone: tenant.timezone ?? 'Europe/Rome',
    }
  }

  const withEtag = async (request: FastifyRequest, reply: FastifyReply, tenant: string, build: () => Promise<unknown>) => {
    const etag = `W/"desk-${tenant}-${await deskRevision(deps.db, tenant)}"`
    reply.header('etag', etag).header('cache-control', 'no-cache')
    if (request.headers['if-none-match'] === etag) return reply.status(304).send()
    return await build()
  }

  app.get('/desk/:tenant/conversations', async (request, reply) => {
    const { identity, profile } = await guard(request)
    const query = request.query as { status?: string }
    const status = query.status ?? 'open'
    if (status !== 'open' && status !== 'answered' && status !== 'all') throw new HttpProblem(400, 'INVALID_QUERY', 'status must be open, answered or all')
    return await withEtag(request, reply, profile.id, async () => {
      const now = deps.clock()
      const rows = await listConversations(deps.db, { tenant: profile.id, status, withDeleted: reviews(identity, profile.id), limit: 500 })
      return {
        conversations: rows.map((r) => {
          const last = [r.last_received_at, r.last_inbound_at].filter((d): d is Date => d instanceof Date).sort((a, b) => b.getTime() - a.getTime())[0]!
          const endsAt = r.channel === 'whatsapp' ? new Date(last.getTime() + 24 * 3_600_000) : null
          return {
            id: r.subscriber_id,
            phone: r.phone,
            name: r.name,
            channel: r.channel,
            openCount: r.open_count,
            urgentCount: r.urgent_count,
            messageCount: r.message_count,
            waitingSince: iso(r.first_open_at),
            lastMessageAt: r.last_received_at.toISOString(),
            lastText: r.last_text,
            assignedTo: r.assigned_to,
            blocked: r.blocked,
            windowEndsAt: iso(endsAt),
            windowOpen: endsAt === null || now.getTime() < endsAt.getTime(),
          }
        }),
        officeHours: await officeOf(profile),
      }
    })
  })

  app.get('/desk/:tenant/conversations/:id', async (request) => {
    const { identity, profile } = await guard(request)
    const id = idParam(request, 'id', 'CONVERSATION_UNKNOWN')
    const now = deps.clock()
    const conversation = await openConversation(deps.db, profile.id, id)
    const { subscriber, channel } = conversation
    let messages = deps.db.selectFrom('desk_message').selectAll().where('tenant', '=', profile.id).where('subscriber_id', '=', id)
    const reviewer = reviews(identity, profile.id)
    if (!reviewer) messages = messages.where((eb) => eb.or([eb('moderation', '<>', 'delete'), eb('urgent', '=', true)]))
    const [rows, answers, assignment] = await Promise.all([
      messages.orderBy('received_at').orderBy('id').execute(),
      deps.db.selectFrom('desk_answer').selectAll().where('tenant', '=', profile.id).where('subscriber_id', '=', id).orderBy('sent_at').execute(),
      deps.db.selectFrom('desk_conversation').selectAll().where('tenant', '=', profile.id).where('subscriber_id', '=', id).executeTakeFirst(),
    ])
    if (rows.length === 0) throw new HttpProblem(404, 'CONVERSATION_UNKNOWN', `no desk conversation ${id}`)
    const timeline = [
      ...rows.map(messageView),
      ...answers.map((a) => ({ id: a.id, kind: 'answer' as const, at: a.sent_at.toISOString(), channel: a.channel, text: a.text, template: (a.template as { name: string } | null)?.name ?? null, sentBy: a.sent_by })),
      // Answers given through the per-message API.
      ...rows.filter((r) => r.answer_text !== null && r.answered_at).map((r) => ({ id: `${r.id}:answer`, kind: 'answer' as const, at: r.answered_at!.toISOString(), channel: r.channel, text: r.answer_text!, template: null, sentBy: r.answered_by ?? '' })),
    ].sort((a, b) => a.at.localeCompare(b.at))
    const window = conversationWindow(channel, conversation.lastMessageAt, subscriber, now)
    const language = profile.language(subscriber.language)
    return {
      id,
      phone: subscriber.phone,
      name: subscriber.name,
      language,
      channel,
      subscribed: subscriber.status === 'active',
      blocked: Boolean(subscriber.blocked_at),
      blockedReason: subscriber.blocked_reason,
      channelStopped: Boolean(subscriber.channel_stopped_at && subscriber.channel === channel),
      assignedTo: assignment?.assigned_to ?? null,
      openCount: rows.filter((r) => r.status === 'open').length,
      window: { lastInboundAt: window.lastInboundAt.toISOString(), endsAt: iso(window.endsAt), open: window.open },
      timeline,
      templates: channel === 'whatsapp' ? (profile.tenant.whatsappTemplates ?? []).map((t) => templateFor(profile, t, language)).filter((t) => t !== null) : [],
      officeHours: await officeOf(profile),
      showsDeleted: reviewer,
    }
  })

  app.post('/desk/:tenant/conversations/:id/answers', async (request, reply) => {
    const { identity, profile } = await guard(request)
    const id = idParam(request, 'id', 'CONVERSATION_UNKNOWN')
    const input = body(AnswerRequest, request)
    const result = await answerConversation(deps, profile, id, identity.actor, input)
    await publish()
    return reply.status(201).send(result)
  })

  app.post('/desk/:tenant/conversations/:id/answered', async (request) => {
    const { identity, profile } = await guard(request)
    return await markConversationAnswered(deps, profile, idParam(request, 'id', 'CONVERSATION_UNKNOWN'), identity.actor)
  })

  app.post('/desk/:tenant/conversations/:id/assignment', async (request) => {
    const { identity, profile } = await guard(request)
    const id = idParam(request, 'id', 'CONVERSATION_UNKNOWN')
    const { assignee } = body(AssignRequest, request)
    return await assignConversation(deps, profile, id, identity.actor, assignee === 'me' ? identity.actor : assignee)
  })

  // Blocks (and reports) the sender through the same block as `POST /staff/:tenant/blocks`.
  app.post('/desk/:tenant/conversations/:id/block', async (request) => {
    const { identity, profile } = await guard(request)
    const id = idParam(request, 'id', 'CONVERSATION_UNKNOWN')
    const { reason, report } = body(BlockRequest, request)
    const { subscriber } = await openConversation(deps.db, profile.id, id)
    const result = await blockSender(deps, profile, subscriber.phone, identity.actor, report ? `segnalato: ${reason}` : reason)
    await recordDeskAction(deps.db, { tenant: profile.id, actor: identity.actor, action: report ? 'reported' : 'blocked', subscriberId: id, detail: { reason, changed: result.changed }, at: deps.clock() })
    await publish()
    return result
  })

  app.get('/desk/:tenant/office-hours', async (request) => {
    const { profile } = await guard(request)
    const rows = await deps.db
      .selectFrom('desk_office_override')
      .selectAll()
      .where('tenant', '=', profile.id)
      .where('ends_at', '>', deps.clock())
      .orderBy('starts_at')
      .execute()
    return {
      ...(await officeOf(profile)),
      overrides: rows.map((r) => overrideView({ id: r.id, kind: r.kind, startsAt: r.starts_at, endsAt: r.ends_at, reason: r.reason, createdBy: r.created_by })),
    }
  })

  app.post('/desk/:tenant/office-hours/overrides', async (request, reply) => {
    const { identity, profile } = await guard(request)
    const input = body(OverrideRequest, request)
    const startsAt = new Date(input.startsAt)
    const endsAt = new Date(input.endsAt)
    const now = deps.clock()
    if (!(endsAt.getTime() > startsAt.getTime())) throw new HttpProblem(422, 'INVALID_SPAN', 'la fine deve essere successiva all’inizio')
    if (endsAt.getTime() <= now.getTime()) throw new HttpProblem(422, 'SPAN_IN_PAST', 'il periodo è già concluso')
    const created = await deps.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('desk_office_override')
        .values({ tenant: profile.id, kind: input.kind, starts_at: startsAt, ends_at: endsAt, reason: input.reason, created_by: identity.actor, created_at: now })
        .returningAll()
        .executeTakeFirstOrThrow()
      await recordDeskAction(trx, { tenant: profile.id, actor: identity.actor, action: input.kind === 'closed' ? 'closure-added' : 'opening-added', detail: { id: row.id, startsAt: input.startsAt, endsAt: input.endsAt, reason: input.reason }, at: now })
      return row
    })
    return reply.status(201).send(overrideView({ id: created.id, kind: created.kind, startsAt: created.starts_at, endsAt: created.ends_at, reason: created.reason, createdBy: created.created_by }))
  })

  app.delete('/desk/:tenant/office-hours/overrides/:id', async (request, reply) => {
    const { identity, profile } = await guard(request)
    const id = idParam(request, 'id', 'OVERRIDE_UNKNOWN')
    await deps.db.transaction().execute(async (trx) => {
      const row = await trx.deleteFrom('desk_office_override').where('tenant', '=', profile.id).where('id', '=', id).returningAll().executeTakeFirst()
      if (!row) throw new HttpProblem(404, 'OVERRIDE_UNKNOWN', `no override ${id}`)
      await recordDeskAction(trx, { tenant: profile.id, actor: identity.actor, action: row.kind === 'closed' ? 'closure-removed' : 'opening-removed', detail: { id, startsAt: row.starts_at.toISOString(), endsAt: row.ends_at.toISOString(), reason: row.reason }, at: deps.clock() })
    })
    return reply.status(204).send()
  })

  const cannedView = (r: { id: string; title: string; text: string; updated_by: string; updated_at: Date }) => ({ id: r.id, title: r.title, text: r.text, updatedBy: r.updated_by, updatedAt: r.updated_at.toISOString() })

  app.get('/desk/:tenant/canned-answers', async (request) => {
    const { profile } = await guard(request)
    const rows = await deps.db.selectFrom('desk_canned_answer').selectAll().where('tenant', '=', profile.id).orderBy('title').execute()
    return { answers: rows.map(cannedView) }
  })

  app.post('/desk/:tenant/canned-answers', async (request, reply) => {
    const { identity, profile } = await guard(request)
    const input = body(CannedRequest, request)
    const now = deps.clock()
    const row = await deps.db.transaction().execute(async (trx) => {
      const created = await trx.insertInto('desk_canned_answer').values({ tenant: profile.id, title: input.title, text: input.text, updated_by: identity.actor, updated_at: now }).returningAll().executeTakeFirstOrThrow()
      await recordDeskAction(trx, { tenant: profile.id, actor: identity.actor, action: 'canned-answer-created', detail: { id: created.id, title: input.title }, at: now })
      return created
    })
    return reply.status(201).send(cannedView(row))
  })

  app.put('/desk/:tenant/canned-answers/:id', async (request) => {
    const { identity, profile } = await guard(request)
    const id = idParam(request, 'id', 'CANNED_ANSWER_UNKNOWN')
    const input = body(CannedRequest, request)
    const now = deps.clock()
    const row = await deps.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('desk_canned_answer')
        .set({ title: input.title, text: input.text, updated_by: identity.actor, updated_at: now })
        .where('tenant', '=', profile.id)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst()
      if (!updated) throw new HttpProblem(404, 'CANNED_ANSWER_UNKNOWN', `no canned answer ${id}`)
      await recordDeskAction(trx, { tenant: profile.id, actor: identity.actor, action: 'canned-answer-updated', detail: { id, title: input.title }, at: now })
      return updated
    })
    return cannedView(row)
  })

  app.delete('/desk/:tenant/canned-answers/:id', async (request, reply) => {
    const { identity, profile } = await guard(request)
    const id = idParam(request, 'id', 'CANNED_ANSWER_UNKNOWN')
    await deps.db.transaction().execute(async (trx) => {
      const row = await trx.deleteFrom('desk_canned_answer').where('tenant', '=', profile.id).where('id', '=', id).returningAll().executeTakeFirst()
      if (!row) throw new HttpProblem(404, 'CANNED_ANSWER_UNKNOWN', `no canned answer ${id}`)
      await recordDeskAction(trx, { tenant: profile.id, actor: identity.actor, action: 'canned-answer-deleted', detail: { id, title: row.title }, at: deps.clock() })
    })
    return reply.status(204).send()
  })

  app.get('/desk/:tenant/audit', async (request) => {
    const { profile } = await guard(request)
    const rows = await deps.db.selectFrom('desk_audit').selectAll().where('tenant', '=', profile.id).orderBy('id', 'desc').limit(200).execute()
    return { entries: rows.map((r) => ({ id: Number(r.id), actor: r.actor, action: r.action, conversationId: r.subscriber_id, detail: r.detail, at: r.occurred_at.toISOString() })) }
  })

  // `event: desk` with the tenant's revision whenever the desk changed (and once at the start).
  app.get('/desk/:tenant/stream', async (request, reply) => {
    const { profile } = await guard(request)
    const intervalMs = deps.streamIntervalMs ?? 1000
    reply.hijack()
    const out = reply.raw
    out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
    let timer: NodeJS.Timeout | undefined
    let closed = false
    let last = -1
    let quietTicks = 0
    const close = () => {
      if (closed) return
      closed = true
      streams.delete(close)
      clearTimeout(timer)
      out.end()
    }
    streams.add(close)
    request.raw.on('close', close)
    const tick = async () => {
      if (closed) return
      try {
        const revision = await deskRevision(deps.db, profile.id)
        if (closed) return
        if (revision !== last) {
          last = revision
          quietTicks = 0
          out.write(`event: desk\ndata: ${JSON.stringify({ revision })}\n\n`)
        } else if (++quietTicks * intervalMs >= 15_000) {
          quietTicks = 0
          out.write(': keep-alive\n\n')
        }
      } catch (error) {
        request.log.warn({ err: error }, 'desk stream read failed')
      }
      timer = setTimeout(() => void tick(), intervalMs)
    }
    void tick()
  })
}
