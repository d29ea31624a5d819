import { TenantSchema } from '@banditore/contracts'

/** Where the generated schema lives, relative to the repository root; tenant files point to it. */
export const TENANT_SCHEMA_FILE = 'tenants/tenant.schema.json'

/**
 * The JSON Schema of a tenant file, generated from the TypeBox TenantSchema (TypeBox schemas are
 * JSON Schema; symbol-keyed metadata drops out of JSON). Editors use it to validate and complete
 * tenants/<id>.json; a test fails when the committed file is stale.
 */
export function tenantSchemaDocument(): string {
  const document = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://banditore.example/schemas/tenant.schema.json',
    title: 'Banditore tenant (municipality) configuration',
    description: 'Generated from TenantSchema in packages/contracts/src/tenant.ts by `pnpm --filter @banditore/subscriptions tenants:schema`. Do not edit by hand.',
    ...(withDefaultsOptional(JSON.parse(JSON.stringify(TenantSchema))) as Record<string, unknown>),
  }
  return `${JSON.stringify(document, null, 2)}\n`
}

/**
 * The loader applies defaults before validating, so a property with a default may be left out
 * of a file: it is not `required` for an editor either.
 */
function withDefaultsOptional(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withDefaultsOptional)
  if (!schema || typeof schema !== 'object') return schema
  const node = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, withDefaultsOptional(v)])) as Record<string, unknown>
  const properties = node.properties as Record<string, { default?: unknown }> | undefined
  if (Array.isArray(node.required) && properties) {
    node.required = (node.required as string[]).filter((name) => properties[name]?.default === undefined)
  }
  return node
}
