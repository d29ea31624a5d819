import { createTwoFilesPatch } from 'diff'
import { runRuleCases } from '../cases/case-runner.js'
import { compileRuleset, type CompiledRuleset } from '../ruleset/compiled-ruleset.js'
import { formatIssue, RulesetInvalidError } from '../ruleset/ruleset-error.js'
import type { RulesetFiles } from '../ruleset/ruleset-files.js'
import type { RulesetStore } from '../ruleset/ruleset-store.js'
import { asText, casesFileOf, PolicyRequestError } from './policy-bench.js'
import type { RulesetVersionLog, RulesetVersionRecord } from './ruleset-version-log.js'

/** Who publishes, for which tenant, and which files of the ruleset they may change. */
export interface PublishContext {
  readonly tenant: string
  /** The audit trail's actor (`Nome <e-mail>`, `token:<holder>`). */
  readonly author: string
  /** The files this person may change: the tenant's layer (and the shared rules for a platform admin). */
  readonly inScope: (path: string) => boolean
}

export interface PublishOutcome {
  readonly version: RulesetVersionRecord
  /** Whether this instance already decides with the new rules when the answer leaves. */
  readonly inForce: boolean
}

/** How long a publish waits for this instance to load what it put into the bucket, ms. */
const LOAD_WAIT_MS = 10_000

function waitForVersion(store: RulesetStore, version: string): Promise<boolean> {
  if (store.current.version === version) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(false), LOAD_WAIT_MS)
    const off = store.onChange((outcome) => {
      if (outcome.loaded && outcome.version === version) finish(true)
    })
    function finish(loaded: boolean) {
      clearTimeout(timer)
      off()
      resolve(loaded)
    }
  })
}

/** Unified diff, file by file, of what changed between two rulesets. */
function diffOf(before: RulesetFiles, after: RulesetFiles): { changedFiles: string[]; diff: string } {
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort()
  const changedFiles = paths.filter((p) => before.get(p) !== after.get(p))
  const diff = changedFiles
    .map((p) => createTwoFilesPatch(before.has(p) ? p : '/dev/null', after.has(p) ? p : '/dev/null', before.get(p) ?? '', after.get(p) ?? '', '', '', { context: 3 }))
    .join('')
  return { changedFiles, diff }
}

/** Compiles `files` and runs every case: a refused ruleset is a 422 naming file, path and reason. */
async function vet(files: RulesetFiles, base: CompiledRuleset): Promise<CompiledRuleset> {
  let next: CompiledRuleset
  try {
    next = await compileRuleset(files, base.profiles)
  } catch (error) {
    if (!(error instanceof RulesetInvalidError)) throw error
    const first = error.issues[0]
    throw new PolicyRequestError(
      422,
      'RULESET_INVALID',
      `Pubblicazione rifiutata, le regole in vigore restano: ${first ? formatIssue(first) : 'regole non valide'}`,
      error.issues,
    )
  }
  const cases = await runRuleCases(next)
  if (cases.failures.length > 0) {
    const first = cases.failures[0]!
    throw new PolicyRequestError(
      422,
      'CASES_FAILING',
      `Pubblicazione rifiutata, le regole in vigore restano: ${cases.failures.length} casi non passano (il primo: ${first.file} /${first.expectation}/${first.index}, «${first.text}»)`,
      cases.failures,
    )
  }
  return next
}

/**
 * Publishes from the bench: the bundle in force in the bucket (or the rules this instance runs,
 * before the first publish) with the change applied, vetted as `rules publish` vets it, recorded
 * as a version (author, time, diff) and put into the bucket every moderation instance watches.
 */
export class PolicyPublisher {
  constructor(
    private readonly log: RulesetVersionLog,
    private readonly store: RulesetStore,
    private readonly now: () => Date,
  ) {}

  /** A rule file (and its cases) as edited. */
  async publishEdit(context: PublishContext, edit: { path: string; rule: unknown; cases?: unknown }): Promise<PublishOutcome> {
    if (!context.inScope(edit.path)) {
      throw new PolicyRequestError(400, 'OUT_OF_SCOPE', `${edit.path} non è una regola che si può pubblicare per il comune ${context.tenant}`)
    }
    const { files: base, revision } = await this.base()
    const files = new Map(base)
    files.set(edit.path, asText(edit.rule))
    if (edit.cases !== undefined) files.set(casesFileOf(edit.path), asText(edit.cases))
    return await this.publish(context, base, files, revision, { kind: 'publish' })
  }

  /** Brings back the files in the person's scope as they were in version `seq`, as a new version. */
  async rollback(context: PublishContext, seq: number): Promise<PublishOutcome> {
    const target = await this.log.get(seq)
    if (!target) throw new PolicyRequestError(404, 'VERSION_UNKNOWN', `Nessuna versione ${seq} delle regole.`)
    const { files: base, revision } = await this.base()
    const files = new Map([...base].filter(([path]) => !context.inScope(path)))
    for (const [path, text] of target.files) if (context.inScope(path)) files.set(path, text)
    return await this.publish(context, base, files, revision, { kind: 'rollback', rollbackOf: seq })
  }

  /** The versions that concern the person's scope (and the baseline), newest first. */
  async versions(context: PublishContext): Promise<RulesetVersionRecord[]> {
    return (await this.log.list()).filter((v) => v.kind === 'baseline' || v.changedFiles.some(context.inScope))
  }

  private async base(): Promise<{ files: RulesetFiles; revision: number | undefined }> {
    const active = await this.log.active()
    return active ? { files: active.files, revision: active.revision } : { files: this.store.current.files, revision: undefined }
  }

  private async publish(
    context: PublishContext,
    base: RulesetFiles,
    files: RulesetFiles,
    revision: number | undefined,
    kind: { kind: 'publish' } | { kind: 'rollback'; rollbackOf: number },
  ): Promise<PublishOutcome> {
    const { changedFiles, diff } = diffOf(base, files)
    if (changedFiles.length === 0) {
      throw new PolicyRequestError(409, 'NOTHING_TO_PUBLISH', 'Nessuna differenza rispetto alle regole in vigore: niente da pubblicare.')
    }
    const next = await vet(files, this.store.current)
    const versions = await this.log.list()
    let seq = (versions[0]?.seq ?? 0) + 1
    const publishedAt = this.now().toISOString()
    if (versions.length === 0) {
      // The rules in force before the first publish: a version to roll back to.
      const baseline = await compileRuleset(base, this.store.current.profiles)
      await this.log.record(
        { version: 1, seq, rulesetVersion: baseline.version, kind: 'baseline', author: 'sistema', tenant: null, publishedAt, changedFiles: [], diff: '' },
        base,
      )
      seq++
    }
    const record: RulesetVersionRecord = {
      version: 1,
      seq,
      rulesetVersion: next.version,
      ...kind,
      author: context.author,
      tenant: context.tenant,
      publishedAt,
      changedFiles,
      diff,
    }
    await this.log.publish(record, files, revision)
    return { version: record, inForce: await waitForVersion(this.store, next.version) }
  }
}
