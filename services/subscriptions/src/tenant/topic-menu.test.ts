import { fileURLToPath } from 'node:url'
import type { Tenant } from '@banditore/contracts'
import { loadTenantDirectory } from '@banditore/platform'
import { validateInteractive, type InteractiveList } from '@banditore/providers'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildTenantProfiles, type TenantProfile } from './tenant-profile.js'
import { parseCommand } from '../commands/command-parser.js'
import { topicMenu } from './topic-menu.js'

let tenants: Map<string, Tenant>
let profiles: Map<string, TenantProfile>

beforeAll(async () => {
  const directory = await loadTenantDirectory(fileURLToPath(new URL('../../../../tenants', import.meta.url)))
  tenants = new Map(directory.all().map((t) => [t.id, t]))
  profiles = buildTenantProfiles(directory.all())
})

const rowsOf = (menu: ReturnType<typeof topicMenu>) => (menu?.kind === 'list' ? menu.sections.flatMap((s) => s.rows) : [])

describe('topic menu', () => {
  it('lists every optional topic and "all", within Meta’s limits, with ids the parser reads back', () => {
    for (const tenant of tenants.values()) {
      for (const language of tenant.languages) {
        const menu = topicMenu(tenant, language)
        expect(menu, `${tenant.id} ${language}`).toBeDefined()
        validateInteractive(menu as InteractiveList)
        const profile = profiles.get(tenant.id)!
        for (const row of rowsOf(menu)) {
          const command = parseCommand(profile, {
            version: 2,
            id: 'whatsapp-cloud:wamid.x',
            tenant: tenant.id,
            channel: 'whatsapp',
            provider: 'whatsapp-cloud',
            providerMessageId: 'wamid.x',
            from: '+393331234567',
            to: '+393330000000',
            type: 'interactive',
            interactive: { kind: 'list', id: row.id, title: row.title },
            sentAt: '2026-03-10T10:00:00Z',
            receivedAt: '2026-03-10T10:00:01Z',
          })
          expect(command.kind, row.id).toBe('topics')
        }
      }
    }
  })

  it('writes Calcinato’s rows in Italian and Gressan’s in French', () => {
    expect(rowsOf(topicMenu(tenants.get('calcinato')!, 'it')).map((r) => r.id)).toEqual(['topics:all', 'topics:info-comune', 'topics:eventi', 'topics:scadenze', 'topics:viabilita'])
    const gressan = topicMenu(tenants.get('gressan')!, 'fr')
    expect(gressan).toMatchObject({ button: 'Choisir les thèmes', footer: 'Toujours inclus : URGENCES' })
    expect(rowsOf(gressan)[0]).toEqual({ id: 'topics:all', title: 'Tous les thèmes', description: 'INFO COMMUNE, ÉVÉNEMENTS' })
  })

  it('takes the tenant’s own texts over the defaults, and cuts names past 24 characters', () => {
    const base = tenants.get('gressan')!
    const tenant: Tenant = {
      ...base,
      texts: { ...base.texts, it: { ...base.texts.it!, topicsMenuButton: 'Apri i temi', topicsMenuAll: 'Tutto' } },
      topics: [...base.topics, { id: 'lavori', names: { it: 'LAVORI PUBBLICI E MANUTENZIONI' }, alwaysOn: false }],
    }
    const menu = topicMenu(tenant, 'it')
    expect(menu).toMatchObject({ button: 'Apri i temi' })
    expect(rowsOf(menu).map((r) => r.title)).toEqual(['Tutto', 'INFO COMUNE', 'EVENTI', 'LAVORI PUBBLICI E MANUT…'])
  })

  it('leaves tenants with more than nine optional topics (or fewer than two) to the text answer', () => {
    const base = tenants.get('gressan')!
    const many = Array.from({ length: 10 }, (_, i) => ({ id: `t${i}`, names: { it: `T${i}` }, alwaysOn: false }))
    expect(topicMenu({ ...base, topics: many }, 'it')).toBeUndefined()
    expect(topicMenu({ ...base, topics: many.slice(0, 9) }, 'it')).toBeDefined()
    expect(topicMenu({ ...base, topics: many.slice(0, 1) }, 'it')).toBeUndefined()
  })
})
