import { readdir, readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { TenantSchema, type Tenant } from '@banditore/contracts'
import { Compile } from 'typebox/compile'
import Value from 'typebox/value'

/** A tenant file that cannot be used: names the file, the JSON path and the reason. */
export class TenantConfigError extends Error {
  readonly code = 'TENANT_CONFIG_INVALID'
  constructor(
    readonly file: string,
    readonly path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}${path ? ` at ${path}` : ''}: ${reason}`, options)
    this.name = 'TenantConfigError'
  }
}

const validator = Compile(TenantSchema)

/** Every tenant, with the look-ups the doors need: which tenant owns a receiving number. */
export class TenantDirectory {
  private readonly byId = new Map<string, Tenant>()
  private readonly byNumber = new Map<string, Tenant>()
  private readonly byPhoneNumberId = new Map<string, Tenant>()
  private readonly bySmsSenderId = new Map<string, Tenant>()

  constructor(tenants: readonly Tenant[]) {
    for (const tenant of tenants) {
      if (this.byId.has(tenant.id)) throw new TenantConfigError(tenant.id, '/id', 'is used by two tenants')
      this.byId.set(tenant.id, tenant)
      const { whatsapp, sms } = tenant.channels
      for (const [key, map, value] of [
        ['/channels/whatsapp/phoneNumberId', this.byPhoneNumberId, whatsapp?.phoneNumberId],
        ['/channels/whatsapp/number', this.byNumber, whatsapp?.number],
        ['/channels/sms/number', this.byNumber, sms?.number],
        ['/channels/sms/senderId', this.bySmsSenderId, sms?.senderId],
      ] as const) {
        if (!value) continue
        const owner = map.get(value)
        if (owner && owner.id !== tenant.id) throw new TenantConfigError(tenant.id, key, `${value} already belongs to tenant ${owner.id}`)
        map.set(value, tenant)
      }
    }
  }

  all(): Tenant[] {
    return [...this.byId.values()]
  }
  get(id: string): Tenant | undefined {
    return this.byId.get(id)
  }
  /** The tenant whose WhatsApp or SMS number is `e164`. */
  byReceivingNumber(e164: string): Tenant | undefined {
    return this.byNumber.get(e164)
  }
  /** The tenant that sends SMS from `from`: its gateway number (E.164) or its alphanumeric sender ID. */
  bySmsSender(from: string): Tenant | undefined {
    const byNumber = this.byNumber.get(from)
    if (byNumber?.channels.sms?.number === from) return byNumber
    return this.bySmsSenderId.get(from)
  }
  /** The tenant whose WhatsApp Cloud API phone-number id is `id`. */
  byWhatsAppPhoneNumberId(id: string): Tenant | undefined {
    return this.byPhoneNumberId.get(id)
  }
}

/** Parses one tenant document, applying the schema's defaults. */
export function parseTenant(file: string, document: unknown): Tenant {
  const withDefaults = Value.Default(TenantSchema, structuredClone(document))
  if (!validator.Check(withDefaults)) {
    const first = [...validator.Errors(withDefaults)][0]
    throw new TenantConfigError(file, first?.instancePath ?? '', first?.message ?? 'is invalid')
  }
  const tenant = withDefaults as Tenant
  for (const key of ['subscribe', 'unsubscribe'] as const) {
    for (const language of Object.keys(tenant.keywords[key])) {
      if (!tenant.languages.includes(language)) {
        throw new TenantConfigError(file, `/keywords/${key}/${language}`, `language ${language} is not among the tenant's languages`)
      }
    }
  }
  for (const language of tenant.languages) {
    if (!tenant.texts[language]) throw new TenantConfigError(file, `/texts`, `has no texts for language ${language}`)
    if (!tenant.privacyPolicy[language]) throw new TenantConfigError(file, `/privacyPolicy`, `has no policy for language ${language}`)
  }
  if (tenant.mode === 'desk' && !tenant.officeHours) throw new TenantConfigError(file, '/officeHours', 'a desk tenant needs office hours')
  return tenant
}

/** Loads every `*.json` tenant file of a directory. The file name must be the tenant id. */
export async function loadTenantDirectory(dir: string): Promise<TenantDirectory> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json')).sort()
  const tenants: Tenant[] = []
  for (const name of files) {
    const file = join(dir, name)
    let document: unknown
    try {
      document = JSON.parse(await readFile(file, 'utf8'))
    } catch (cause) {
      throw new TenantConfigError(file, '', `is not valid JSON: ${(cause as Error).message}`, { cause })
    }
    const tenant = parseTenant(file, document)
    if (tenant.id !== basename(name, '.json')) throw new TenantConfigError(file, '/id', `must be "${basename(name, '.json')}", the file's name`)
    tenants.push(tenant)
  }
  return new TenantDirectory(tenants)
}
