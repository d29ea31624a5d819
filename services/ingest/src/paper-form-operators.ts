import { createHash, timingSafeEqual } from 'node:crypto'

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest()

/**
 * The URP operators allowed to type in paper forms, from PAPER_FORM_TOKENS
 * (`operatorId:token,...`). Tokens are kept as SHA-256 digests and compared in constant time:
 * every token is compared (no early exit) and digests have equal length, so the answer time
 * tells nothing about which token or how much of one matched.
 */
export class PaperFormOperators {
  private readonly operators: ReadonlyArray<{ id: string; digest: Buffer }>

  constructor(spec: string | undefined) {
    this.operators = (spec ?? '')
      .split(',')
      .map((pair) => pair.trim())
      .filter(Boolean)
      .map((pair) => {
        const colon = pair.indexOf(':')
        return { id: pair.slice(0, colon), digest: digest(pair.slice(colon + 1)) }
      })
  }

  /** The operator id for an `Authorization: Bearer <token>` header, or undefined. */
  authenticate(authorization: string | undefined): string | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
    if (!match?.[1]) return undefined
    const presented = digest(match[1])
    let found: string | undefined
    for (const operator of this.operators) {
      if (timingSafeEqual(presented, operator.digest) && found === undefined) found = operator.id
    }
    return found
  }

  get size(): number {
    return this.operators.length
  }
}
