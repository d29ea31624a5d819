import { computeMessageFacts, type ModerationInput } from '../facts/message-facts.js'
import { OfficeHoursClock } from '../facts/office-hours-clock.js'
import type { SenderHistory } from '../sender/sender-history.js'
import { defaultProfile, type ModerationProfile, type ProfileDirectory } from '../tenant/moderation-profile.js'
import { decisionOf, type Decision } from '../verdict/verdict-decision.js'
import { RulesetInvalidError, type RulesetIssue } from './ruleset-error.js'
import type { RulesetFiles } from './ruleset-files.js'
import { effectiveRules, parseRuleset, type RulesetContent } from './ruleset-parser.js'
import { TenantEngine, type FiredRule } from './tenant-engine.js'
import type { RuleDirection } from './rule-file-validator.js'

export interface CompileOptions {
  /** Reuse the engine's result for messages whose conditions all come out the same (default true). */
  readonly memo?: boolean
}

/**
 * A validated ruleset with its engines, immutable: the RulesetStore swaps whole instances, so a
 * verdict is always decided by one ruleset version from start to end.
 */
export class CompiledRuleset {
  readonly version: string
  private readonly engines = new Map<string, TenantEngine>()
  private readonly clocks = new Map<string, OfficeHoursClock>()

  constructor(
    readonly content: RulesetContent,
    readonly profiles: ProfileDirectory,
    private readonly options: CompileOptions = {},
    /** The files it was compiled from (the policy editors' bench reads and edits them). */
    readonly files: RulesetFiles = new Map(),
  ) {
    this.version = content.version
  }

  /** The engine for a profile's rules and languages in one direction, built on first use. */
  engine(profile: ModerationProfile, direction: RuleDirection, languages = profile.languages): TenantEngine {
    const key = `${direction}|${profile.rulesetDir}|${[...languages].sort().join(',')}`
    let engine = this.engines.get(key)
    if (!engine) {
      engine = new TenantEngine(
        effectiveRules(this.content, profile.rulesetDir, direction),
        this.content.lexicons.forLanguages(languages),
        { memo: this.options.memo ?? true },
      )
      this.engines.set(key, engine)
    }
    return engine
  }

  /** How many times json-rules-engine ran, over every engine of this ruleset. */
  engineRuns(): number {
    let runs = 0
    for (const engine of this.engines.values()) runs += engine.runs
    return runs
  }

  private clock(profile: ModerationProfile): OfficeHoursClock {
    let clock = this.clocks.get(profile.tenant)
    if (!clock) {
      clock = new OfficeHoursClock(profile.timezone, profile.officeHours)
      this.clocks.set(profile.tenant, clock)
    }
    return clock
  }

  /** The rules that fire on one message for a profile. */
  firedRules(
    profile: ModerationProfile,
    direction: RuleDirection,
    input: ModerationInput,
    sender: SenderHistory,
    languages = profile.languages,
  ): Promise<readonly FiredRule[]> {
    const facts = computeMessageFacts(input, sender, profile, this.clock(profile))
    return this.engine(profile, direction, languages).decide(facts)
  }

  /** The decision on an inbound message of a tenant, with why each rule fired. */
  async moderate(tenant: string, input: ModerationInput, sender: SenderHistory): Promise<Decision> {
    const profile = this.profiles.get(tenant)
    const facts = computeMessageFacts(input, sender, profile, this.clock(profile))
    const engine = this.engine(profile, 'inbound')
    const decision = decisionOf(await engine.decide(facts), this.version)
    if (decision.rules.length === 0) return decision
    return { ...decision, explanations: engine.explain(decision.rules, facts) }
  }
}

const SMOKE_INPUT: ModerationInput = { text: 'prova', channel: 'whatsapp', messageType: 'text', hasMedia: false, at: 0 }

/** Lexicons a tenant's rules name must exist in at least one of the tenant's languages. */
function languageIssues(content: RulesetContent, profiles: readonly ModerationProfile[]): RulesetIssue[] {
  const issues: RulesetIssue[] = []
  for (const profile of profiles) {
    for (const direction of ['inbound', 'outbound'] as const) {
      for (const rule of effectiveRules(content, profile.rulesetDir, direction)) {
        for (const name of rule.lexicons) {
          const languages = content.lexicons.languagesOf(name)
          if (!profile.languages.some((l) => languages.includes(l))) {
            issues.push({
              file: rule.file,
              path: '/conditions',
              reason: `lexicon "${name}" has no file in the languages of tenant ${profile.tenant} (${profile.languages.join(', ')})`,
            })
          }
        }
      }
    }
  }
  return issues
}

/**
 * Validates and compiles a ruleset for the known tenants (and the default profile), builds every
 * engine and runs one message through each, so a ruleset that would fail at the first message is
 * refused at load instead. Throws RulesetInvalidError.
 */
export async function compileRuleset(
  files: RulesetFiles,
  profiles: ProfileDirectory,
  options: CompileOptions = {},
): Promise<CompiledRuleset> {
  const content = parseRuleset(files)
  // The default rules, every configured tenant, and every override directory no tenant uses yet.
  const configured = profiles.all()
  const unconfigured = content.layers.filter((layer) => !configured.some((p) => p.rulesetDir === layer)).map((layer) => defaultProfile(layer))
  const all = [defaultProfile(''), ...configured, ...unconfigured]
  const issues = languageIssues(content, all)
  if (issues.length > 0) throw new RulesetInvalidError(issues)
  const ruleset = new CompiledRuleset(content, profiles, options, files)
  for (const profile of all) {
    for (const direction of ['inbound', 'outbound'] as const) {
      try {
        await ruleset.firedRules(profile, direction, SMOKE_INPUT, { recentMessages: [], pastViolations: 0 })
      } catch (cause) {
        throw new RulesetInvalidError(
          [{ file: `rules for ${profile.tenant || 'the default profile'}`, path: '', reason: (cause as Error).message }],
          { cause },
        )
      }
    }
  }
  return ruleset
}
