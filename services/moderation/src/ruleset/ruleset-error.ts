/** One problem in a ruleset: the file (relative to rules/), the JSON path in it, and why. */
export interface RulesetIssue {
  readonly file: string
  /** JSON pointer inside the file; empty for the whole file. */
  readonly path: string
  readonly reason: string
}

export function formatIssue(issue: RulesetIssue): string {
  return `${issue.file}${issue.path ? ` ${issue.path}` : ''}: ${issue.reason}`
}

/** A ruleset that cannot be used. The rules in force stay in force. */
export class RulesetInvalidError extends Error {
  readonly code = 'RULESET_INVALID'
  constructor(
    readonly issues: readonly RulesetIssue[],
    options?: { cause?: unknown },
  ) {
    const first = issues[0]
    super(
      `ruleset refused: ${first ? formatIssue(first) : 'invalid'}${issues.length > 1 ? ` (+${issues.length - 1} more)` : ''}`,
      options,
    )
    this.name = 'RulesetInvalidError'
  }
}

/** The rules directory or the KV bucket could not be read. */
export class RulesetSourceError extends Error {
  readonly code = 'RULESET_SOURCE_UNAVAILABLE'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RulesetSourceError'
  }
}

/** The engine failed while deciding (an operator threw, a fact is missing). */
export class ModerationEngineError extends Error {
  readonly code = 'MODERATION_ENGINE_FAILED'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ModerationEngineError'
  }
}
