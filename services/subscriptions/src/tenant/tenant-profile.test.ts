import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { privacyPolicyVersion, type Tenant } from '@banditore/contracts'
import { loadTenantDirectory, parseTenant } from '@banditore/platform'
import { describe, expect, it } from 'vitest'
import { buildTenantProfiles, TenantProfile } from './tenant-profile.js'
import { TENANT_SCHEMA_FILE, tenantSchemaDocument } from './tenant-schema-document.js'
import { describeContacts, describeTopics, renderText, TenantTextsError } from './tenant-texts.js'

const root = new URL('../../../../', import.meta.url)
const tenantsDir = fileURLToPath(new URL('tenants', root))
const SEEDS = ['ancona', 'calcinato', 'corbetta', 'gressan', 'magenta']

describe('the seed tenants', () => {
  it('are the five municipalities, valid and complete for this service', async () => {
    const directory = await loadTenantDirectory(tenantsDir)
    expect(directory.all().map((t) => t.id).sort()).toEqual(SEEDS)
    const profiles = buildTenantProfiles(directory.all())
    expect(profiles.size).toBe(5)
    expect(directory.get('gressan')!.languages).toEqual(['it', 'fr'])
    expect(directory.get('ancona')!.mode).toBe('desk')
    expect(directory.byReceivingNumber('+393667760789')!.id).toBe('corbetta')
  })

  it('keep every citizen-facing text within one reply (4096 characters)', async () => {
    const directory = await loadTenantDirectory(tenantsDir)
    for (const tenant of directory.all()) {
      for (const language of tenant.languages) {
        expect(tenant.privacyPolicy[language]!.length).toBeLessThanOrEqual(4096)
        for (const key of Object.keys(tenant.texts[language]!)) {
          const text = renderText(tenant, language, key as never, { name: 'Maria Rossi', topics: 'EVENTI', allTopics: 'EMERGENZE, EVENTI' })!
          expect(text.length, `${tenant.id}.${language}.${key}`).toBeLessThanOrEqual(4096)
          expect(text, `${tenant.id}.${language}.${key} has an unknown placeholder`).not.toMatch(/\{\w+\}/)
        }
      }
    }
  })

  it('renders placeholders from the tenant data', async () => {
    const directory = await loadTenantDirectory(tenantsDir)
    const ancona = directory.get('ancona')!
    expect(renderText(ancona, 'it', 'deskClosed')).toContain('lunedì, mercoledì e venerdì 9-13; martedì e giovedì 9-13 e 15-17')
    const corbetta = directory.get('corbetta')!
    expect(describeContacts(corbetta, 'it')).toBe('segnalazioni: https://servizionline.comune.corbetta.mi.it/home/segnalazioni.aspx')
    const gressan = directory.get('gressan')!
    expect(describeTopics(gressan, 'fr', ['eventi'])).toBe('URGENCES, ÉVÉNEMENTS')
    expect(renderText(gressan, 'fr', 'unsubscribed')).toContain("JE M'INSCRIS")
  })
})

describe('TenantProfile', () => {
  const base = async () => JSON.parse(await readFile(new URL('tenants/gressan.json', root), 'utf8')) as Record<string, unknown>

  it('derives policy versions per language and delivery channels per door', async () => {
    const tenant = parseTenant('gressan.json', await base())
    const profile = new TenantProfile(tenant)
    expect(profile.policyVersion('fr')).toBe(privacyPolicyVersion(tenant.privacyPolicy.fr!))
    expect(profile.policyVersion('de')).toBe(privacyPolicyVersion(tenant.privacyPolicy.it!))
    expect(profile.deliveryChannel('whatsapp')).toBe('whatsapp')
    expect(profile.defaultTopics()).toEqual(['info-comune', 'eventi'])
    expect(profile.confirmationRequestChannel()).toBe('whatsapp')
  })

  it('sends Corbetta subscribers WhatsApp whatever door they used, and asks confirmations by SMS', async () => {
    const tenant = parseTenant('corbetta.json', JSON.parse(await readFile(new URL('tenants/corbetta.json', root), 'utf8')))
    const profile = new TenantProfile(tenant)
    expect(profile.deliveryChannel('sms')).toBe('whatsapp')
    expect(profile.deliveryChannel('paper')).toBe('whatsapp')
    expect(profile.confirmationRequestChannel()).toBe('sms')
  })

  it('refuses a tenant missing a text it needs, naming each', async () => {
    const document = await base()
    const texts = document.texts as Record<string, Record<string, string>>
    delete texts.fr!.welcome
    document.mode = 'desk'
    document.officeHours = { weekly: { '1': [['09:00', '12:00']] } }
    const tenant: Tenant = parseTenant('gressan.json', document)
    const error = (() => {
      try {
        new TenantProfile(tenant)
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(TenantTextsError)
    expect((error as TenantTextsError).missing).toEqual(['it.deskClosed', 'fr.welcome', 'fr.deskClosed'])
  })
})

describe(TENANT_SCHEMA_FILE, () => {
  it('is generated from TenantSchema and not stale (run `pnpm --filter @banditore/subscriptions tenants:schema`)', async () => {
    const committed = await readFile(new URL(TENANT_SCHEMA_FILE, root), 'utf8')
    expect(committed).toBe(tenantSchemaDocument())
  })

  it('is pointed to by every tenant file', async () => {
    for (const id of SEEDS) {
      const document = JSON.parse(await readFile(new URL(`tenants/${id}.json`, root), 'utf8')) as { $schema?: string }
      expect(document.$schema).toBe('./tenant.schema.json')
    }
  })
})
