/** A payload that does not match its contract. `issues` lists each violation by JSON pointer. */
export class ContractViolationError extends Error {
  readonly code = 'CONTRACT_VIOLATION'
  constructor(
    readonly contract: string,
    readonly issues: ReadonlyArray<{ path: string; message: string }>,
    options?: { cause?: unknown },
  ) {
    const first = issues[0]
    super(
      `${contract}: ${first ? `${first.path || '/'} ${first.message}` : 'invalid'}` +
        (issues.length > 1 ? ` (+${issues.length - 1} more)` : ''),
      options,
    )
    this.name = 'ContractViolationError'
  }
}
