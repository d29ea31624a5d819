import { randomUUID } from 'node:crypto'

/**
 * What the tenant-isolation sweep builds its requests from: the operations of an OpenAPI
 * document, the routes of a fastify instance (services without a document), and request bodies
 * generated from JSON schemas so that a call passes validation and reaches the tenant check.
 */

/** A JSON schema as @fastify/swagger writes it (TypeBox's output): read loosely. */
export interface JsonSchema {
  type?: string | string[]
  const?: unknown
  enum?: unknown[]
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  allOf?: JsonSchema[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  minItems?: number
  format?: string
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  exclusiveMinimum?: number
}

export interface Operation {
  method: string
  /** As the document names it: `/v1/broadcasts/{id}`. */
  path: string
  pathParams: Array<{ name: string; schema: JsonSchema }>
  queryParams: Array<{ name: string; required: boolean; schema: JsonSchema }>
  /** The first content type of the request body and its schema, if the operation takes one. */
  body?: { contentType: string; schema: JsonSchema | undefined }
}

interface OpenApiParameter {
  in: string
  name: string
  required?: boolean
  schema?: JsonSchema
}
interface OpenApiOperation {
  parameters?: OpenApiParameter[]
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> }
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete'])

/** Every operation of the document (method and path), with its parameters and body. */
export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, op]) => {
        const params = op.parameters ?? []
        const content = Object.entries(op.requestBody?.content ?? {})
        const json = content.find(([type]) => type === 'application/json') ?? content[0]
        return {
          method: method.toUpperCase(),
          path,
          pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
          queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, required: p.required === true, schema: p.schema ?? {} })),
          ...(json ? { body: { contentType: json[0], schema: json[1].schema } } : {}),
        }
      }),
  )
}

/**
 * The routes of a fastify instance, from `printRoutes({ commonPrefix: false })`: a tree whose
 * lines are `├── <segment> (GET, HEAD)` indented four columns per level, each segment appended
 * to its parent's path. HEAD is left out (it answers as GET).
 */
export function routesOf(tree: string): Array<{ method: string; path: string }> {
  const stack: string[] = []
  const routes: Array<{ method: string; path: string }> = []
  for (const line of tree.split('\n')) {
    const match = /^(.*?)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (!match) continue
    const depth = [...match[1]!].length / 4
    stack.length = depth
    const path = `${stack.at(-1) ?? ''}${match[2]!}`
    stack.push(path)
    for (const method of (match[3] ?? '').split(', ').filter((m) => m !== '' && m !== 'HEAD')) routes.push({ method, path })
  }
  return routes
}

/** Strings tried, in order, against a pattern and length limits. */
const CANDIDATES = ['abc', 'it', 'abc_1', '10:00', '2030-01-15', '2030-01-15T10:00', 'https://example.org/a', '+393331234567', 'A1']

/**
 * A small value valid against `schema`: required properties only (a `tenant` property, required
 * or not, set to `tenant`), the first enum value or union member, strings of the minimum length
 * or the first candidate matching the pattern. Throws on a pattern it cannot satisfy, so a
 * request never silently fails validation instead of reaching the tenant check.
 */
export function sampleOf(schema: JsonSchema | undefined, tenant: string, at = '#'): unknown {
  if (!schema) return {}
  if (schema.const !== undefined) return schema.const
  if (schema.enum) return schema.enum[0]
  const union = schema.anyOf ?? schema.oneOf
  if (union) return sampleOf(union.find((s) => s.type !== 'null') ?? union[0], tenant, at)
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s) => sampleOf(s, tenant, at)))
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type
  switch (type ?? (schema.properties ? 'object' : undefined)) {
    case 'object': {
      const names = new Set([...(schema.required ?? []), ...('tenant' in (schema.properties ?? {}) ? ['tenant'] : [])])
      return Object.fromEntries([...names].map((name) => [name, name === 'tenant' ? tenant : sampleOf(schema.properties?.[name], tenant, `${at}/${name}`)]))
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, (_, i) => sampleOf(schema.items, tenant, `${at}/${i}`))
    case 'string':
      return stringOf(schema, at)
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1)
    case 'boolean':
      return false
    case 'null':
      return null
    default:
      return {}
  }
}

function stringOf(schema: JsonSchema, at: string): string {
  if (schema.format === 'uuid') return randomUUID()
  if (schema.format === 'date-time') return new Date(Date.now() + 86_400_000).toISOString()
  if (schema.format === 'date') return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
  if (schema.format === 'email') return 'sweep@example.org'
  if (schema.format === 'uri') return 'https://example.org/a'
  const min = schema.minLength ?? 1
  const max = schema.maxLength ?? Infinity
  const fits = (s: string) => s.length >= min && s.length <= max && (!schema.pattern || new RegExp(schema.pattern, 'u').test(s))
  const found = [...CANDIDATES, 'x'.repeat(Math.max(min, 3))].find(fits)
  if (found === undefined) throw new Error(`${at}: no sample string fits ${JSON.stringify(schema)}; add a candidate to tenant-sweep.ts`)
  return found
}
