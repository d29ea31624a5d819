import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import type { RulesetIssue } from './ruleset-error.js'

interface SchemaError {
  readonly keyword: string
  readonly instancePath: string
  readonly params: Record<string, unknown>
  readonly message: string
}

export interface SchemaValidator {
  check(value: unknown): boolean
  /** Readable issues: one per unknown property, missing property or wrong value. */
  issues(value: unknown, file: string, basePath?: string): RulesetIssue[]
}

/**
 * Compiles a schema into a validator whose errors read well in a terminal: the alternatives of a
 * union of constants become "must be one of: a, b", an unknown property is named by its own path.
 */
export function compileValidator(schema: TSchema): SchemaValidator {
  const compiled = Compile(schema)
  return {
    check: (value) => compiled.Check(value),
    issues(value, file, basePath = '') {
      if (compiled.Check(value)) return []
      const errors = [...compiled.Errors(value)] as unknown as SchemaError[]
      const allowedByPath = new Map<string, string[]>()
      for (const e of errors) {
        if (e.keyword !== 'const') continue
        const list = allowedByPath.get(e.instancePath) ?? []
        list.push(String(e.params.allowedValue))
        allowedByPath.set(e.instancePath, list)
      }
      const seen = new Set<string>()
      const issues: RulesetIssue[] = []
      const add = (path: string, reason: string) => {
        const key = `${path}\u0000${reason}`
        if (seen.has(key)) return
        seen.add(key)
        issues.push({ file, path: basePath + path, reason })
      }
      for (const e of errors) {
        const allowed = allowedByPath.get(e.instancePath)
        if (e.keyword === 'boolean') continue
        if (e.keyword === 'const' || (e.keyword === 'anyOf' && allowed)) {
          if (allowed) add(e.instancePath, `must be one of: ${allowed.join(', ')}`)
          continue
        }
        if (e.keyword === 'additionalProperties') {
          for (const name of (e.params.additionalProperties as string[] | undefined) ?? []) {
            add(`${e.instancePath}/${name}`, 'is not a known property')
          }
          continue
        }
        if (e.keyword === 'enum' && Array.isArray(e.params.allowedValues)) {
          add(e.instancePath, `must be one of: ${(e.params.allowedValues as unknown[]).map(String).join(', ')}`)
          continue
        }
        if (e.keyword === 'required') {
          for (const name of (e.params.requiredProperties as string[] | undefined) ?? []) {
            add(e.instancePath, `must have property "${name}"`)
          }
          continue
        }
        add(e.instancePath, e.message)
      }
      return issues
    },
  }
}
