import type { ProfileDirectory } from '../tenant/moderation-profile.js'
import { compileRuleset, type CompileOptions, type CompiledRuleset } from './compiled-ruleset.js'
import { RulesetInvalidError, type RulesetIssue } from './ruleset-error.js'
import type { RulesetFiles } from './ruleset-files.js'

export type RulesetLoadOutcome =
  | { readonly loaded: true; readonly version: string; readonly origin: string; readonly changed: boolean }
  | { readonly loaded: false; readonly origin: string; readonly issues: readonly RulesetIssue[]; readonly activeVersion: string }

export type RulesetListener = (outcome: RulesetLoadOutcome) => void

/**
 * Holds the ruleset in force and replaces it atomically: a message is decided by one ruleset from
 * start to end, because deciding takes `current` once. A candidate that fails validation, a
 * case-free compile or its smoke run is refused, and the rules in force stay in force. Loads run
 * one at a time in arrival order, so the last one to arrive is the one that stays.
 */
export class RulesetStore {
  private active: CompiledRuleset
  private readonly listeners = new Set<RulesetListener>()
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    initial: CompiledRuleset,
    private readonly profiles: ProfileDirectory,
    private readonly options: CompileOptions = {},
  ) {
    this.active = initial
  }

  /** The ruleset in force. */
  get current(): CompiledRuleset {
    return this.active
  }

  onChange(listener: RulesetListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Compiles `files` and swaps them in, or refuses them keeping the rules in force. */
  load(files: RulesetFiles, origin: string): Promise<RulesetLoadOutcome> {
    const outcome = this.queue.then(() => this.compileAndSwap(files, origin))
    this.queue = outcome.catch(() => undefined)
    return outcome
  }

  /** Reports a source that could not even produce files (unreadable directory, bad bundle). */
  refuse(origin: string, issues: readonly RulesetIssue[]): RulesetLoadOutcome {
    const outcome: RulesetLoadOutcome = { loaded: false, origin, issues, activeVersion: this.active.version }
    this.emit(outcome)
    return outcome
  }

  private async compileAndSwap(files: RulesetFiles, origin: string): Promise<RulesetLoadOutcome> {
    let next: CompiledRuleset
    try {
      next = await compileRuleset(files, this.profiles, this.options)
    } catch (error) {
      if (!(error instanceof RulesetInvalidError)) throw error
      return this.refuse(origin, error.issues)
    }
    const changed = next.version !== this.active.version
    this.active = next
    const outcome: RulesetLoadOutcome = { loaded: true, version: next.version, origin, changed }
    this.emit(outcome)
    return outcome
  }

  private emit(outcome: RulesetLoadOutcome): void {
    for (const listener of this.listeners) listener(outcome)
  }
}
