import type { TSchema } from 'typebox'

/** One problem of a request, named by its field (a JSON pointer into the body or query). */
export interface RequestIssue {
  readonly field: string
  readonly message: string
}

interface SchemaError {
  readonly keyword: string
  readonly instancePath: string
  readonly message: string
  readonly params: Readonly<Record<string, unknown>>
}

const knownFields = (schema: TSchema | undefined, path: string): string[] => {
  let node: TSchema | undefined = schema
  for (const part of path.split('/').slice(1)) {
    const properties = (node as { properties?: Record<string, TSchema> } | undefined)?.properties
    const items = (node as { items?: TSchema } | undefined)?.items
    node = properties?.[part] ?? (/^\d+$/.test(part) ? items : undefined)
  }
  return Object.keys((node as { properties?: Record<string, unknown> } | undefined)?.properties ?? {})
}

/**
 * Schema errors as problems a person can act on: each names its field, an unknown field says
 * which fields exist, a missing one says it is required. TypeBox's bare `schema is false` (the
 * echo of an unknown field) is folded into the unknown-field problem.
 */
export function requestIssues(errors: readonly SchemaError[], schema?: TSchema): RequestIssue[] {
  const issues: RequestIssue[] = []
  for (const error of errors) {
    if (error.keyword === 'boolean') continue
    if (error.keyword === 'additionalProperties') {
      const known = knownFields(schema, error.instancePath)
      for (const name of (error.params.additionalProperties as string[] | undefined) ?? []) {
        issues.push({
          field: `${error.instancePath}/${name}`,
          message: `is not a field of this request${known.length ? ` (its fields: ${known.join(', ')})` : ''}`,
        })
      }
      continue
    }
    if (error.keyword === 'required') {
      for (const name of (error.params.requiredProperties as string[] | undefined) ?? []) {
        issues.push({ field: `${error.instancePath}/${name}`, message: 'is required' })
      }
      continue
    }
    issues.push({ field: error.instancePath || '/', message: error.message })
  }
  const seen = new Set<string>()
  return issues.filter((issue) => {
    const key = `${issue.field} ${issue.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** `field message; field message`. */
export const describeIssues = (issues: readonly RequestIssue[]) => issues.map((i) => `${i.field} ${i.message}`).join('; ')
