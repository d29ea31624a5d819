import {
  ContractViolationError,
  CounterSignupRequestContract,
  ImportStartRequestContract,
  SubscriberErasureRequestContract,
  SubscriberReasonRequestContract,
  SubscriberSearchRequestContract,
  type Contract,
} from '@banditore/contracts'
import type { Logger } from '@banditore/platform'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TSchema, Static } from 'typebox'
import { eraseDataSubject, exportDataSubject } from '../privacy/data-subject.js'
import type { OutboxRelay } from '../processing/outbox-relay.js'
import { blockSender, removeSubscriber, unblockSender, type StaffDeps } from '../processing/staff-actions.js'
import { recordCounterSignup, searchSubscribers, subscriberDetail, subscriberOptions } from '../processing/subscriber-console.js'
import { ImportRunner, importView, listImports, previewImport, startImport } from '../processing/subscriber-import.js'
import { recordStaffAction } from '../repositories/staff-audit.repository.js'
import { findSubscriberById } from '../repositories/subscriber-search.repository.js'
import type { TenantProfile } from '../tenant/tenant-profile.js'
import { HttpProblem } from './http-problem.js'
import { StaffPermissions, type StaffGuard } from './staff-auth.js'
import type { RemoteExports } from '../privacy/remote-exports.js'

export interface SubscriberRouteDeps extends StaffDeps {
  profiles: ReadonlyMap<string, TenantProfile>
  authenticate: StaffGuard
  relay: OutboxRelay
  logger: Logger
  remoteExports: RemoteExports
}

/** Who may read subscribers (desk and privacy officer; admins): the same people as for blocks. */
const READ = StaffPermissions.senders
/** The largest import file accepted (a CSV of ~300,000 rows). */
const IMPORT_FILE_LIMIT = 16 * 1024 * 1024

function body<S extends TSchema>(contract: Contract<S>, request: FastifyRequest): Static<S> {
  try {
    return contract.parse(request.body ?? {})
  } catch (error) {
    if (error instanceof ContractViolationError) throw new HttpProblem(400, 'INVALID_BODY', error.message, { cause: error })
    throw error
  }
}

/**
 * The subscribers and privacy screens: search (by number, looked up by its keyed hash, or by
 * name), a subscriber's page with the consent ledger, export and erasure (privacy officer),
 * removal ex officio, block and unblock (desk or privacy officer), a paper form signed at the
 * counter, and list imports (preview, then a run in batches that resumes after a restart).
 * Every change, export and import is recorded in `staff_audit` with the person.
 */
export async function subscriberRoutes(app: FastifyInstance, deps: SubscriberRouteDeps): Promise<void> {
  const guard = async (request: FastifyRequest, roles: readonly (typeof StaffPermissions)[keyof typeof StaffPermissions][number][]) => {
    const { tenant } = request.params as { tenant: string }
    const identity = await deps.authenticate(request, tenant, roles)
    const profile = deps.profiles.get(tenant)
    if (!profile) throw new HttpProblem(404, 'TENANT_UNKNOWN', `Comune sconosciuto: ${tenant}`)
    return { identity, profile }
  }
  const subscriberOf = async (request: FastifyRequest, profile: TenantProfile) => {
    const { id } = request.params as { id: string }
    const row = await findSubscriberById(deps.db, profile.id, id)
    if (!row) throw new HttpProblem(404, 'SUBSCRIBER_UNKNOWN', 'Nessun cittadino con questo identificativo: potrebbe essere stato cancellato.')
    return row
  }
  const publish = () => deps.relay.flush().catch((error: unknown) => app.log.warn({ err: error }, 'outbox flush failed; the relay will retry'))
  const runner = new ImportRunner({ ...deps, publish })
  app.addHook('onReady', async () => runner.kick())
  app.addHook('onClose', async () => await runner.stop())

  app.addContentTypeParser(['text/csv', 'text/plain', 'application/csv', 'application/vnd.ms-excel', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: IMPORT_FILE_LIMIT }, (_request, payload, done) => done(null, payload))

  app.get('/staff/:tenant/subscriber-options', async (request) => {
    const { profile } = await guard(request, READ)
    return subscriberOptions(profile)
  })

  app.post('/staff/:tenant/subscribers/search', async (request) => {
    const { profile } = await guard(request, READ)
    const { query } = body(SubscriberSearchRequestContract, request)
    return await searchSubscribers(deps, profile, query)
  })

  app.get('/staff/:tenant/subscribers/:id', async (request) => {
    const { identity, profile } = await guard(request, READ)
    const row = await subscriberOf(request, profile)
    await recordStaffAction(deps.db, { tenant: profile.id, actor: identity.actor, action: 'viewed', subscriberId: row.id, phoneHash: row.phone_hash, at: deps.clock() })
    return await subscriberDetail(deps, profile, row)
  })

  app.post('/staff/:tenant/subscribers/:id/export', async (request, reply) => {
    const { identity, profile } = await guard(request, StaffPermissions.privacy)
    const row = await subscriberOf(request, profile)
    const data = await exportDataSubject(deps, profile.id, row.phone)
    await recordStaffAction(deps.db, { tenant: profile.id, actor: identity.actor, action: 'exported', subscriberId: row.id, phoneHash: row.phone_hash, at: deps.clock() })
    return reply.header('content-disposition', `attachment; filename="banditore-${profile.id}-${row.id}.json"`).send(data)
  })

  app.post('/staff/:tenant/subscribers/:id/erasure', async (request) => {
    const { identity, profile } = await guard(request, StaffPermissions.privacy)
    const row = await subscriberOf(request, profile)
    const { reason } = body(SubscriberErasureRequestContract, request)
    const result = await eraseDataSubject(deps, profile, row.phone, identity.actor, reason)
    await recordStaffAction(deps.db, {
      tenant: profile.id,
      actor: identity.actor,
      action: 'erased',
      subscriberId: row.id,
      phoneHash: result.phoneHash,
      detail: { reason: reason ?? null, consentRowsAnonymised: result.consentRowsAnonymised, deskMessagesDeleted: result.deskMessagesDeleted },
      at: deps.clock(),
    })
    await publish()
    return result
  })

  app.post('/staff/:tenant/subscribers/:id/removal', async (request) => {
    const { identity, profile } = await guard(request, StaffPermissions.senders)
    const row = await subscriberOf(request, profile)
    const { reason } = body(SubscriberReasonRequestContract, request)
    const result = await removeSubscriber(deps, profile, row.phone, identity.actor, reason)
    await recordStaffAction(deps.db, { tenant: profile.id, actor: identity.actor, action: 'removed', subscriberId: row.id, phoneHash: row.phone_hash, detail: { reason, changed: result.changed }, at: deps.clock() })
    await publish()
    return result
  })

  app.post('/staff/:tenant/subscribers/:id/block', async (request) => {
    const { identity, profile } = await guard(request, StaffPermissions.senders)
    const row = await subscriberOf(request, profile)
    const { reason } = body(SubscriberReasonRequestContract, request)
    const result = await blockSender(deps, profile, row.phone, identity.actor, reason)
    await recordStaffAction(deps.db, { tenant: profile.id, actor: identity.actor, action: 'blocked', subscriberId: row.id, phoneHash: row.phone_hash, detail: { reason, changed: result.changed }, at: deps.clock() })
    await publish()
    return result
  })

  app.post('/staff/:tenant/subscribers/:id/unblock', async (request) => {
    const { identity, profile } = await guard(request, StaffPermissions.senders)
    const row = await subscriberOf(request, profile)
    const result = await unblockSender(deps, profile, row.phone, identity.actor)
    await recordStaffAction(deps.db, { tenant: profile.id, actor: identity.actor, action: 'unblocked', subscriberId: row.id, phoneHash: row.phone_hash, detail: { changed: result.changed }, at: deps.clock() })
    await publish()
    return result
  })

  app.post('/staff/:tenant/paper-signups', async (request, reply) => {
    const { identity, profile } = await guard(request, StaffPermissions.senders)
    const input = body(CounterSignupRequestContract, request)
    const result = await recordCounterSignup(deps, profile, input, identity.actor)
    await publish()
    return reply.status(result.status === 'confirmation-requested' ? 201 : 200).send(result)
  })

  // Imports: the file as the body (CSV, or an Excel .xlsx workbook's first sheet), `?fileName=` for the record.
  app.post('/staff/:tenant/imports', async (request, reply) => {
    const { identity, profile } = await guard(request, StaffPermissions.senders)
    if (!(request.body instanceof Buffer) || request.body.length === 0) {
      throw new HttpProblem(400, 'INVALID_FILE', 'Invia il file (CSV o Excel .xlsx) come corpo della richiesta (Content-Type: text/csv o application/vnd.openxmlformats-officedocument.spreadsheetml.sheet).')
    }
    const { fileName } = request.query as { fileName?: string }
    const view = await previewImport(deps, profile, { bytes: request.body, name: fileName?.slice(0, 200) ?? null }, identity.actor)
    return reply.status(view.alreadyUploaded ? 200 : 201).send(view)
  })

  app.get('/staff/:tenant/imports', async (request) => {
    const { profile } = await guard(request, StaffPermissions.senders)
    const rows = await listImports(deps.db, profile.id)
    return {
      imports: rows.map((r) => ({
        id: r.id,
        fileName: r.file_name,
        status: r.status,
        mode: r.mode,
        totalRows: r.total_rows,
        validRows: r.valid_rows,
        errorRows: r.error_rows,
        createdBy: r.created_by,
        createdAt: r.created_at.toISOString(),
        completedAt: r.completed_at?.toISOString() ?? null,
      })),
    }
  })

  app.get('/staff/:tenant/imports/:id', async (request) => {
    const { profile } = await guard(request, StaffPermissions.senders)
    const { id } = request.params as { id: string }
    const view = await importView(deps.db, profile.id, id)
    if (!view) throw new HttpProblem(404, 'IMPORT_UNKNOWN', 'Importazione non trovata.')
    return view
  })

  app.post('/staff/:tenant/imports/:id/start', async (request, reply) => {
    const { identity, profile } = await guard(request, StaffPermissions.senders)
    const { id } = request.params as { id: string }
    const view = await startImport(deps, profile, id, body(ImportStartRequestContract, request), identity.actor)
    runner.kick()
    return reply.status(202).send(view)
  })
}
