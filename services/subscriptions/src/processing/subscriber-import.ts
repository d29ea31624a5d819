import { createHash } from 'node:crypto'
import type { ImportEvidence, ImportRowError, ImportRowView, ImportStartRequest, ImportView } from '@banditore/contracts'
import type { Logger } from '@banditore/platform'
import type { Kysely } from 'kysely'
import { normalizeCommandText } from '../commands/command-text.js'
import { HttpProblem } from '../routes/http-problem.js'
import { recordStaffAction } from '../repositories/staff-audit.repository.js'
import type { SendChannel, SubscriberImportRowTable, SubscriptionsDatabase } from '../subscriptions-database.js'
import type { TenantProfile } from '../tenant/tenant-profile.js'
import { ALL_TOPICS_WORDS } from '../tenant/tenant-profile.js'
import { CitizenSession } from './citizen-session.js'
import { decodeText, parseCsv, type CsvRecord } from './csv.js'
import { isWorkbook, readWorkbook, UnreadableWorkbookError } from './workbook.js'
import { normalizeStaffPhone } from './subscriber-console.js'
import { requestConfirmation } from './subscription-commands.js'
import type { StaffDeps } from './staff-actions.js'

type Db = Kysely<SubscriptionsDatabase>
type ImportRow = Omit<SubscriberImportRowTable, 'import_id' | 'tenant'>

/** Rows per transaction when an import runs: progress is stored after each batch. */
export const IMPORT_BATCH = 250
const INSERT_CHUNK = 1_000
const ERRORS_SHOWN = 1_000

/** Column names a municipality's file may use (normalized: lower case, no accents or punctuation). */
const COLUMNS: Record<string, 'phone' | 'name' | 'surname' | 'channel' | 'topics' | 'language'> = {
  telefono: 'phone', cellulare: 'phone', numero: 'phone', 'numero di telefono': 'phone', 'numero telefono': 'phone', phone: 'phone', 'phone number': 'phone', mobile: 'phone', tel: 'phone', whatsapp: 'phone',
  nome: 'name', name: 'name', nominativo: 'name', 'nome e cognome': 'name', 'nome cognome': 'name', 'full name': 'name',
  cognome: 'surname', surname: 'surname', 'last name': 'surname',
  canale: 'channel', channel: 'channel',
  argomenti: 'topics', argomento: 'topics', temi: 'topics', topics: 'topics', topic: 'topics', themes: 'topics',
  lingua: 'language', language: 'language', langue: 'language',
}

export function importIdOf(tenant: string, fileSha256: string): string {
  return `imp-${createHash('sha256').update(`${tenant}:${fileSha256}`).digest('hex').slice(0, 32)}`
}

interface ParsedFile {
  columns: string[]
  rows: ImportRow[]
}

/** A list as CSV text, or as an Excel workbook's first sheet. */
async function readRecords(bytes: Uint8Array): Promise<CsvRecord[]> {
  if (!isWorkbook(bytes)) return parseCsv(decodeText(bytes))
  try {
    return await readWorkbook(bytes)
  } catch (error) {
    if (error instanceof UnreadableWorkbookError) {
      throw new HttpProblem(400, 'INVALID_FILE', 'Il file Excel non si legge: salvalo di nuovo in formato .xlsx (o CSV) e ricaricalo.', { cause: error })
    }
    throw error
  }
}

/** Reads and checks every row against the tenant (number, channel, topics, language, duplicates in the file). */
export async function readImportFile(profile: TenantProfile, bytes: Uint8Array): Promise<ParsedFile> {
  const records = await readRecords(bytes)
  if (records.length === 0) throw new HttpProblem(400, 'EMPTY_FILE', 'Il file è vuoto.')
  const header = records[0]!.fields.map((f) => normalizeCommandText(f).toLowerCase())
  const roles = header.map((h) => COLUMNS[h])
  const hasHeader = roles.includes('phone')
  if (!hasHeader && !normalizeStaffPhone(records[0]!.fields[0] ?? '')) {
    throw new HttpProblem(400, 'NO_PHONE_COLUMN', 'Il file non ha una colonna «telefono» (o «cellulare», «numero»): aggiungi l’intestazione.')
  }
  const index = (role: string, fallback: number | undefined) => {
    const i = roles.indexOf(role as never)
    return i >= 0 ? i : hasHeader ? undefined : fallback
  }
  const at = { phone: index('phone', 0)!, name: index('name', 1), surname: index('surname', undefined), channel: index('channel', undefined), topics: index('topics', undefined), language: index('language', undefined) }
  const columns = hasHeader ? records[0]!.fields.map((f) => f.trim()) : []
  const tenant = profile.tenant
  const topicByWord = new Map<string, string>()
  for (const topic of tenant.topics) {
    topicByWord.set(normalizeCommandText(topic.id).toLowerCase(), topic.id)
    for (const name of Object.values(topic.names)) topicByWord.set(normalizeCommandText(name).toLowerCase(), topic.id)
  }
  const seen = new Set<string>()
  const rows: ImportRow[] = []
  for (const record of hasHeader ? records.slice(1) : records) {
    const cell = (i: number | undefined) => (i === undefined ? '' : (record.fields[i] ?? '').trim())
    const rawPhone = cell(at.phone).slice(0, 60)
    const name = [cell(at.name), cell(at.surname)].filter(Boolean).join(' ').normalize('NFC').replace(/\s+/g, ' ').slice(0, 120) || null
    let error: ImportRowError | null = null
    const phone = rawPhone ? normalizeStaffPhone(rawPhone, 'valid') : null
    if (!rawPhone) error = 'missing-number'
    else if (!phone) error = 'invalid-number'
    else if (seen.has(phone)) error = 'duplicate'
    if (phone) seen.add(phone)

    const channelText = cell(at.channel).toLowerCase()
    let channel: SendChannel | null = profile.deliveryChannel('import')
    if (channelText) {
      channel = /^(wa|whatsapp)$/.test(channelText.replace(/\s/g, '')) ? 'whatsapp' : channelText === 'sms' ? 'sms' : null
      if (!channel || !tenant.channels[channel]) {
        channel = null
        error ??= 'unknown-channel'
      }
    }
    const languageText = cell(at.language).toLowerCase()
    const language = languageText || profile.defaultLanguage
    if (!tenant.languages.includes(language)) error ??= 'unknown-language'

    let topics: string[] | null = null
    const topicText = cell(at.topics)
    if (topicText) {
      const words = topicText.split(/[|,;/]+/).map((w) => normalizeCommandText(w).toLowerCase()).filter(Boolean)
      if (words.some((w) => ALL_TOPICS_WORDS.includes(w.toUpperCase()))) topics = profile.defaultTopics()
      else {
        const ids = words.map((w) => topicByWord.get(w))
        if (ids.some((id) => id === undefined)) error ??= 'unknown-topic'
        topics = profile.chosenTopics(ids.filter((id): id is string => id !== undefined))
      }
    }
    rows.push({ line: record.line, raw_phone: rawPhone, phone, name, channel, language: tenant.languages.includes(language) ? language : null, topics, error, outcome: null })
  }
  if (rows.length === 0) throw new HttpProblem(400, 'EMPTY_FILE', 'Il file non contiene righe da importare.')
  return { columns, rows }
}

/** Marks rows whose number is already subscribed or blocked in the tenant. */
async function markKnownCitizens(db: Db, tenant: string, rows: ImportRow[]): Promise<void> {
  const phones = [...new Set(rows.filter((r) => r.phone && !r.error).map((r) => r.phone!))]
  const known = new Map<string, { active: boolean; blocked: boolean }>()
  for (let i = 0; i < phones.length; i += INSERT_CHUNK) {
    const chunk = phones.slice(i, i + INSERT_CHUNK)
    const found = await db.selectFrom('subscriber').select(['phone', 'status', 'blocked_at']).where('tenant', '=', tenant).where('phone', 'in', chunk).execute()
    for (const f of found) known.set(f.phone, { active: f.status === 'active', blocked: Boolean(f.blocked_at) })
  }
  for (const row of rows) {
    if (row.error || !row.phone) continue
    const citizen = known.get(row.phone)
    if (citizen?.blocked) row.error = 'blocked'
    else if (citizen?.active) row.error = 'already-subscribed'
  }
}

interface ImportSummary {
  columns: string[]
  errorsByKind: Partial<Record<ImportRowError, number>>
  byChannel: Record<string, number>
  byTopic: Record<string, number>
}

function summarize(profile: TenantProfile, columns: string[], rows: ImportRow[]): ImportSummary {
  const errorsByKind: Partial<Record<ImportRowError, number>> = {}
  const byChannel: Record<string, number> = {}
  const byTopic: Record<string, number> = Object.fromEntries(profile.topics.map((t) => [t.id, 0]))
  for (const row of rows) {
    if (row.error) {
      const kind = row.error as ImportRowError
      errorsByKind[kind] = (errorsByKind[kind] ?? 0) + 1
      continue
    }
    byChannel[row.channel!] = (byChannel[row.channel!] ?? 0) + 1
    const topics = row.topics ?? profile.defaultTopics()
    for (const t of profile.topics) if (t.alwaysOn || topics.includes(t.id)) byTopic[t.id] = (byTopic[t.id] ?? 0) + 1
  }
  return { columns, errorsByKind, byChannel, byTopic }
}

export async function importView(db: Db, tenant: string, id: string, extra: { alreadyUploaded?: boolean } = {}): Promise<ImportView | undefined> {
  const row = await db.selectFrom('subscriber_import').selectAll().where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst()
  if (!row) return undefined
  const errors = await db
    .selectFrom('subscriber_import_row')
    .selectAll()
    .where('import_id', '=', id)
    .where('error', 'is not', null)
    .orderBy('line')
    .limit(ERRORS_SHOWN)
    .execute()
  const summary = row.summary as ImportSummary
  return {
    id: row.id,
    tenant: row.tenant,
    fileName: row.file_name,
    status: row.status,
    mode: row.mode,
    evidence: (row.evidence as ImportEvidence | null) ?? null,
    totalRows: row.total_rows,
    validRows: row.valid_rows,
    errorRows: row.error_rows,
    errorsByKind: summary.errorsByKind,
    byChannel: summary.byChannel,
    byTopic: summary.byTopic,
    progress: { processedRows: await processedRows(db, row.id, row.processed_line), subscribed: row.subscribed, confirmationsRequested: row.confirmations_requested, skipped: row.skipped },
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    completedAt: row.completed_at?.toISOString() ?? null,
    errors: errors.map(
      (e): ImportRowView => ({ line: e.line, rawPhone: e.raw_phone, phone: e.phone, name: e.name, channel: e.channel, topics: e.topics, error: e.error as ImportRowError, outcome: e.outcome }),
    ),
    columns: summary.columns,
    ...extra,
  }
}

async function processedRows(db: Db, id: string, processedLine: number): Promise<number> {
  if (processedLine === 0) return 0
  const r = await db
    .selectFrom('subscriber_import_row')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('import_id', '=', id)
    .where('line', '<=', processedLine)
    .where('error', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

export async function listImports(db: Db, tenant: string) {
  return await db
    .selectFrom('subscriber_import')
    .select(['id', 'file_name', 'status', 'mode', 'total_rows', 'valid_rows', 'error_rows', 'created_by', 'created_at', 'completed_at'])
    .where('tenant', '=', tenant)
    .orderBy('created_at', 'desc')
    .limit(50)
    .execute()
}

/**
 * Stores a file as an import and answers its preview. The import's id is derived from the
 * tenant and the file's SHA-256: the same file uploaded again is the same import (nothing new
 * is stored; its state is answered as it is).
 */
export async function previewImport(deps: StaffDeps, profile: TenantProfile, file: { bytes: Uint8Array; name: string | null }, actor: string): Promise<ImportView> {
  const sha = createHash('sha256').update(file.bytes).digest('hex')
  const id = importIdOf(profile.id, sha)
  const existing = await importView(deps.db, profile.id, id, { alreadyUploaded: true })
  if (existing) return existing
  const parsed = await readImportFile(profile, file.bytes)
  await markKnownCitizens(deps.db, profile.id, parsed.rows)
  const summary = summarize(profile, parsed.columns, parsed.rows)
  const errorRows = parsed.rows.filter((r) => r.error).length
  const now = deps.clock()
  await deps.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('subscriber_import')
      .values({
        id,
        tenant: profile.id,
        file_name: file.name,
        file_sha256: sha,
        status: 'previewed',
        mode: null,
        evidence: null,
        total_rows: parsed.rows.length,
        valid_rows: parsed.rows.length - errorRows,
        error_rows: errorRows,
        summary: JSON.stringify(summary),
        created_by: actor,
        created_at: now,
        started_by: null,
        started_at: null,
        completed_at: null,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst()
    // Uploaded at the same moment by someone else: theirs stands.
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return
    for (let i = 0; i < parsed.rows.length; i += INSERT_CHUNK) {
      await trx
        .insertInto('subscriber_import_row')
        .values(parsed.rows.slice(i, i + INSERT_CHUNK).map((r) => ({ ...r, import_id: id, tenant: profile.id })))
        .execute()
    }
    await recordStaffAction(trx, { tenant: profile.id, actor, action: 'import-previewed', detail: { importId: id, fileName: file.name, rows: parsed.rows.length, errors: errorRows }, at: now })
  })
  return (await importView(deps.db, profile.id, id))!
}

/**
 * Starts an import previewed before (the mode chosen: a confirmation request to each citizen, or
 * the municipality's documented consent recorded as such). Starting it again changes nothing.
 */
export async function startImport(deps: StaffDeps, profile: TenantProfile, id: string, request: ImportStartRequest, actor: string): Promise<ImportView> {
  if (request.mode === 'imported-consent' && !request.evidence) {
    throw new HttpProblem(400, 'EVIDENCE_REQUIRED', 'Per registrare il consenso già raccolto indica fonte, data e riferimento del documento.')
  }
  const now = deps.clock()
  await deps.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('subscriber_import').selectAll().where('tenant', '=', profile.id).where('id', '=', id).forUpdate().executeTakeFirst()
    if (!row) throw new HttpProblem(404, 'IMPORT_UNKNOWN', 'Importazione non trovata.')
    if (row.status !== 'previewed') return
    await trx
      .updateTable('subscriber_import')
      .set({ status: 'running', mode: request.mode, evidence: request.evidence ? JSON.stringify(request.evidence) : null, started_by: actor, started_at: now, updated_at: now })
      .where('id', '=', id)
      .execute()
    await recordStaffAction(trx, { tenant: profile.id, actor, action: 'import-started', detail: { importId: id, mode: request.mode, evidence: request.evidence ?? null }, at: now })
  })
  return (await importView(deps.db, profile.id, id))!
}

type RunDeps = StaffDeps & { profiles: ReadonlyMap<string, TenantProfile>; logger: Logger; publish: () => Promise<unknown> }

/**
 * One batch of a running import, in one transaction with its progress: the import is locked, the
 * rows after its last handled line are handled, the line advances. A crash loses at most the
 * batch's uncommitted work, which the next run redoes. Returns false when the import is done.
 */
export async function runImportBatch(deps: RunDeps, id: string): Promise<boolean> {
  const now = deps.clock()
  return await deps.db.transaction().execute(async (trx) => {
    const imp = await trx.selectFrom('subscriber_import').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    if (!imp || imp.status !== 'running') return false
    const profile = deps.profiles.get(imp.tenant)
    if (!profile) return false
    const rows = await trx.selectFrom('subscriber_import_row').selectAll().where('import_id', '=', id).where('line', '>', imp.processed_line).orderBy('line').limit(IMPORT_BATCH).execute()
    if (rows.length === 0) {
      await trx.updateTable('subscriber_import').set({ status: 'completed', completed_at: now, updated_at: now }).where('id', '=', id).execute()
      await recordStaffAction(trx, {
        tenant: imp.tenant,
        actor: imp.started_by ?? 'system',
        action: 'import-completed',
        detail: { importId: id, subscribed: imp.subscribed, confirmationsRequested: imp.confirmations_requested, skipped: imp.skipped },
        at: now,
      })
      return false
    }
    const evidence = imp.evidence as ImportEvidence | null
    let subscribed = 0
    let requested = 0
    let skipped = 0
    for (const row of rows) {
      if (row.error || !row.phone) continue
      const actor = imp.started_by ?? 'system'
      const session = await CitizenSession.open(trx, profile, row.phone, now, { actor, replyBase: `import:${id}:${row.line}` }, deps.hashPhone)
      let outcome: string
      if (session.isBlocked) outcome = 'skipped-blocked'
      else if (session.isActive) outcome = 'skipped-already-subscribed'
      else if (imp.mode === 'imported-consent' && evidence) {
        await importConsent(session, row, evidence, { id, fileName: imp.file_name, fileSha256: imp.file_sha256, actor })
        outcome = 'subscribed'
      } else {
        const language = profile.language(row.language)
        await requestConfirmation(session, {
          door: 'import',
          messageId: `import:${id}:${row.line}`,
          language,
          name: row.name,
          topics: row.topics,
          policyVersion: profile.policyVersion(language),
          form: { kind: 'import', importId: id, fileName: imp.file_name, fileSha256: imp.file_sha256, line: row.line, name: row.name, topics: row.topics, importedBy: actor },
        })
        outcome = 'confirmation-requested'
      }
      if (outcome === 'subscribed') subscribed++
      else if (outcome === 'confirmation-requested') requested++
      else skipped++
      await trx.updateTable('subscriber_import_row').set({ outcome }).where('import_id', '=', id).where('line', '=', row.line).execute()
    }
    await trx
      .updateTable('subscriber_import')
      .set((eb) => ({
        processed_line: rows.at(-1)!.line,
        subscribed: eb('subscribed', '+', subscribed),
        confirmations_requested: eb('confirmations_requested', '+', requested),
        skipped: eb('skipped', '+', skipped),
        updated_at: now,
      }))
      .where('id', '=', id)
      .execute()
    return true
  })
}

/**
 * Records the consent the municipality documented before this platform existed, as what it is:
 * a `consent-imported` event through the `import` door with the source, date and document
 * reference, never a keyword consent. No welcome is sent (the municipality announces the move).
 */
async function importConsent(
  session: CitizenSession,
  row: SubscriberImportRowTable,
  evidence: ImportEvidence,
  imp: { id: string; fileName: string | null; fileSha256: string; actor: string },
): Promise<void> {
  const profile = session.profile
  const language = profile.language(row.language)
  const channel = row.channel ?? profile.deliveryChannel('import')
  const existing = await session.ensure(language, channel)
  await session.change('subscribed', {
    status: 'active',
    language,
    channel,
    name: row.name ?? existing.name,
    topics: row.topics ? profile.chosenTopics(row.topics) : profile.defaultTopics(),
    subscribed_at: session.now,
    unsubscribed_at: null,
    channel_stopped_at: null,
    channel_stopped_code: null,
  })
  await session.recordConsent({
    event: 'consent-imported',
    door: 'import',
    delivery_channel: channel,
    evidence_text: null,
    evidence_form: JSON.stringify({
      kind: 'imported-consent',
      source: evidence.source,
      date: evidence.date,
      documentReference: evidence.documentReference,
      importId: imp.id,
      fileName: imp.fileName,
      fileSha256: imp.fileSha256,
      line: row.line,
      importedBy: imp.actor,
    }),
    language,
    policy_version: null,
    confirmation_message_id: null,
    reason: null,
    occurred_at: session.now,
    redacted_at: null,
    redaction: null,
  })
}

/**
 * Runs the imports marked running, batch after batch, one at a time in this instance (the
 * import's row lock keeps instances from running the same batch). Kicked when an import starts
 * and when the service starts (a run a restart interrupted resumes where it stopped).
 */
export class ImportRunner {
  private running: Promise<void> = Promise.resolve()
  private again = false
  private busy = false
  private stopped = false

  constructor(private readonly deps: RunDeps) {}

  kick(): void {
    if (this.stopped) return
    if (this.busy) {
      this.again = true
      return
    }
    this.busy = true
    this.running = this.loop()
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'import run failed; the next start resumes it'))
      .finally(() => {
        this.busy = false
        if (this.again && !this.stopped) {
          this.again = false
          this.kick()
        }
      })
  }

  private async loop(): Promise<void> {
    for (;;) {
      this.again = false
      const pending = await this.deps.db.selectFrom('subscriber_import').select('id').where('status', '=', 'running').orderBy('started_at').execute()
      if (pending.length === 0) return
      for (const { id } of pending) {
        while (!this.stopped && (await runImportBatch(this.deps, id))) {
          // The batch's confirmation requests go out through the outbox, the relay and the worker's rate limiter.
          await this.deps.publish()
        }
        if (this.stopped) return
        this.deps.logger.info({ importId: id }, 'import completed')
      }
      if (!this.again) return
    }
  }

  async idle(): Promise<void> {
    while (this.busy) await this.running
  }

  async stop(): Promise<void> {
    this.stopped = true
    await this.running
  }
}
