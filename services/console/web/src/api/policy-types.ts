/** The moderation service's policy routes (services/moderation/src/policy/policy-bench.ts), as the console reads them. */

export interface PolicyRule {
  name: string
  direction: 'inbound' | 'outbound'
  /** `default` for the shared rules, else the tenant's directory. */
  layer: string
  file: string
  description: string
  category: string | null
  action: string
  priority: number
  overridesDefault: boolean
  cases: { match: number; noMatch: number }
}

export interface PolicyRuleDetail extends PolicyRule {
  text: string
  casesFile: string
  casesText?: string
  tenantFile: string
}

export interface ConditionExplanation {
  fact: string
  operator: string
  value: unknown
  matched?: string[]
  words?: string[]
  score?: number
  threshold?: number
  features?: string[]
  observed?: unknown
}

export interface TryResult {
  action: string
  categories: string[]
  rules: string[]
  explanations: { rule: string; category?: string; conditions: ConditionExplanation[] }[]
  rulesetVersion: string
}

export interface RulesetIssue {
  file: string
  path: string
  reason: string
}

export interface CaseFailure {
  file: string
  rule: string
  expectation: 'match' | 'noMatch'
  index: number
  text: string
  note?: string
  fired: string[]
}

export interface Score {
  truePositives: number
  falsePositives: number
  falseNegatives: number
  precision: number | null
  recall: number | null
}

export interface CorpusSide {
  overall: Score
  violation: Score
  actionAccuracy: number
}

export interface CorpusChange {
  tenant: string
  text: string
  expected: { action: string; categories: string[] }
  before: { action: string; categories: string[]; rules: string[] }
  after: { action: string; categories: string[]; rules: string[] }
}

export type CheckResult =
  | { valid: false; activeVersion: string; issues: RulesetIssue[] }
  | {
      valid: true
      activeVersion: string
      version: string
      cases: { passed: number; failures: CaseFailure[] }
      corpus?: { split: string; entries: number; before: CorpusSide; after: CorpusSide; changes: CorpusChange[] }
    }

/** One version of the ruleset published from the bench (services/moderation/src/policy/ruleset-version-log.ts). */
export interface RulesetVersion {
  seq: number
  rulesetVersion: string
  kind: 'baseline' | 'publish' | 'rollback'
  author: string
  tenant: string | null
  publishedAt: string
  rollbackOf?: number
  changedFiles: string[]
  /** Unified diff against the previous version. */
  diff: string
}

export interface PublishOutcome {
  tenant: string
  version: RulesetVersion
  /** Whether the moderation service already decides with it. */
  inForce: boolean
}

export interface RulesetVersions {
  tenant: string
  activeVersion: string
  /** False when the moderation service does not follow the rulesets bucket: nothing can be published. */
  publishing: boolean
  versions: RulesetVersion[]
}

export type ReviewDecisionAction = 'allow' | 'delete' | 'block'

/** A message the rules sent to review (services/moderation/src/review/review-queue.ts); `from` is masked. */
export interface ReviewItem {
  id: string
  tenant: string
  messageId: string
  channel: string
  from: string
  text: string
  receivedAt: string
  decidedAt: string
  categories: string[]
  rules: string[]
  rulesetVersion: string
  decision?: { action: ReviewDecisionAction; by: string; at: string; reason: string }
}
