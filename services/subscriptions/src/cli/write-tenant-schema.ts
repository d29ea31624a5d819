import { writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { TENANT_SCHEMA_FILE, tenantSchemaDocument } from '../tenant/tenant-schema-document.js'

// Writes tenants/tenant.schema.json from TenantSchema. Run after changing packages/contracts/src/tenant.ts.
const target = fileURLToPath(new URL(`../../../../${TENANT_SCHEMA_FILE}`, import.meta.url))
await writeFile(target, tenantSchemaDocument())
console.log(`wrote ${TENANT_SCHEMA_FILE}`)
