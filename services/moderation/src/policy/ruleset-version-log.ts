import { RulesetBundleContract } from '@banditore/contracts'
import { Kvm, type KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import Type, { type Static } from 'typebox'
import { Compile } from 'typebox/compile'
import { createBundle, filesOfBundle } from '../ruleset/ruleset-bundle.js'
import type { RulesetFiles } from '../ruleset/ruleset-files.js'

/** What one published version records; its files are stored beside it (`bundle.<seq>`). */
export const RulesetVersionRecordSchema = Type.Object(
  {
    version: Type.Literal(1),
    /** 1, 2, 3…: the order of publication. */
    seq: Type.Integer({ minimum: 1 }),
    rulesetVersion: Type.String(),
    /** `baseline`: the rules in force before the first publish from the bench. */
    kind: Type.Union([Type.Literal('baseline'), Type.Literal('publish'), Type.Literal('rollback')]),
    /** The staff person (`Nome <e-mail>`) or `token:<holder>`; `sistema` for the baseline. */
    author: Type.String(),
    /** The tenant the editor acted for. */
    tenant: Type.Union([Type.String(), Type.Null()]),
    publishedAt: Type.String(),
    /** With `rollback`: the version whose content came back. */
    rollbackOf: Type.Optional(Type.Integer({ minimum: 1 })),
    changedFiles: Type.Array(Type.String()),
    /** Unified diff against the previous version, file by file. */
    diff: Type.String(),
  },
  { additionalProperties: false },
)
export type RulesetVersionRecord = Static<typeof RulesetVersionRecordSchema>
const recordCheck = Compile(RulesetVersionRecordSchema)

/** Two publishes at once: the second one finds its place taken and is refused (to be repeated). */
export class PublishConflictError extends Error {
  readonly code = 'PUBLISH_CONFLICT'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PublishConflictError'
  }
}

/** The server refused the write because the key moved on (another writer came first). */
function isConflict(error: unknown): boolean {
  const e = error as { code?: unknown; api_error?: { err_code?: unknown }; message?: unknown }
  return e?.api_error?.err_code === 10071 || /wrong last sequence|key exists/i.test(String(e?.message ?? ''))
}

const metaKey = (seq: number) => `meta.${String(seq).padStart(10, '0')}`
const bundleKey = (seq: number) => `bundle.${String(seq).padStart(10, '0')}`

/**
 * The versions of the ruleset published from the bench, in their own NATS KV bucket (one key per
 * version, so none is ever dropped, unlike the active key's capped history), beside the bucket
 * every moderation instance watches. A version is recorded before the active bundle moves, and
 * the active bundle moves only from the revision the publish started from: of two publishes at
 * once, one is refused.
 */
export class RulesetVersionLog {
  constructor(
    private readonly versions: KV,
    private readonly rulesets: KV,
    private readonly activeKey: string,
  ) {}

  /** Opens (or creates) the versions bucket beside the rulesets bucket the service watches. */
  static async open(nc: NatsConnection, options: { bucket: string; rulesets: KV; activeKey: string; replicas?: number }): Promise<RulesetVersionLog> {
    const versions = await new Kvm(nc).create(options.bucket, {
      history: 1,
      replicas: options.replicas ?? 1,
      description: 'Ruleset versions published from the policy bench',
    })
    return new RulesetVersionLog(versions, options.rulesets, options.activeKey)
  }

  /** The bundle in force in the bucket (its files and revision), or undefined before any publish. */
  async active(): Promise<{ files: RulesetFiles; revision: number } | undefined> {
    const entry = await this.rulesets.get(this.activeKey)
    if (!entry || entry.operation !== 'PUT') return undefined
    return { files: filesOfBundle(entry.value, `kv ${this.activeKey} revision ${entry.revision}`), revision: entry.revision }
  }

  /** Every version, newest first. */
  async list(): Promise<RulesetVersionRecord[]> {
    const keys: string[] = []
    for await (const key of await this.versions.keys('meta.>')) keys.push(key)
    const records: RulesetVersionRecord[] = []
    for (const key of keys) {
      const entry = await this.versions.get(key)
      if (!entry || entry.operation !== 'PUT') continue
      const value: unknown = entry.json()
      if (recordCheck.Check(value)) records.push(value)
    }
    return records.sort((a, b) => b.seq - a.seq)
  }

  async get(seq: number): Promise<{ record: RulesetVersionRecord; files: RulesetFiles } | undefined> {
    const meta = await this.versions.get(metaKey(seq))
    const bundle = await this.versions.get(bundleKey(seq))
    if (!meta || meta.operation !== 'PUT' || !bundle || bundle.operation !== 'PUT') return undefined
    const record: unknown = meta.json()
    if (!recordCheck.Check(record)) return undefined
    return { record, files: filesOfBundle(bundle.value, `kv version ${seq}`) }
  }

  /** Records a version (its seq must be free) without touching the bundle in force. */
  async record(record: RulesetVersionRecord, files: RulesetFiles): Promise<void> {
    try {
      await this.versions.create(bundleKey(record.seq), RulesetBundleContract.encode(createBundle(files, new Date(record.publishedAt))))
      await this.versions.create(metaKey(record.seq), JSON.stringify(record))
    } catch (error) {
      if (isConflict(error)) throw new PublishConflictError(`la versione ${record.seq} è già stata pubblicata da un'altra persona: ricaricare e riprovare`, { cause: error })
      throw error
    }
  }

  /**
   * Records `record` and makes `files` the bundle in force, if the bucket is still at
   * `fromRevision` (undefined: nothing was ever published). Returns the active key's revision.
   */
  async publish(record: RulesetVersionRecord, files: RulesetFiles, fromRevision: number | undefined): Promise<number> {
    await this.record(record, files)
    const data = RulesetBundleContract.encode(createBundle(files, new Date(record.publishedAt)))
    try {
      return fromRevision === undefined ? await this.rulesets.create(this.activeKey, data) : await this.rulesets.update(this.activeKey, data, fromRevision)
    } catch (error) {
      // The version never came into force: it must not stay in the list.
      await this.versions.purge(metaKey(record.seq)).catch(() => undefined)
      await this.versions.purge(bundleKey(record.seq)).catch(() => undefined)
      if (isConflict(error)) throw new PublishConflictError('le regole in vigore sono cambiate nel frattempo: ricaricare e riprovare', { cause: error })
      throw error
    }
  }
}
