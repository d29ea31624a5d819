import { fileURLToPath } from 'node:url'
import { loadTenantDirectory, parseTenant } from '@banditore/platform'
import { describe, expect, it } from 'vitest'
import { flagEmergencyContacts } from './emergency-contacts.js'

const tenantsDir = fileURLToPath(new URL('../../../tenants', import.meta.url))

describe('flagEmergencyContacts', () => {
  it('flags invalid, fixed-line and fictional numbers by their path in the file', async () => {
    const shipped = (await loadTenantDirectory(tenantsDir)).get('corbetta')
    if (!shipped?.emergency) throw new Error('the Corbetta tenant file has no emergency block')
    const contact = (phone: string) => ({ name: 'Sindaco', role: 'sindaco', phone, channel: 'sms' as const })
    const tenant = parseTenant('corbetta.json', {
      ...shipped,
      emergency: {
        ...shipped.emergency,
        officials: [contact('+390000030001'), contact('+393471234567'), contact('+390297481234'), contact('+61491570156')],
        onDuty: [contact('+3934712')],
      },
    })
    expect(flagEmergencyContacts([tenant])).toEqual([
      { tenant: 'corbetta', path: '/emergency/officials/0/phone', problem: 'not-valid' },
      { tenant: 'corbetta', path: '/emergency/officials/2/phone', problem: 'not-mobile' },
      { tenant: 'corbetta', path: '/emergency/officials/3/phone', problem: 'fictional' },
      { tenant: 'corbetta', path: '/emergency/onDuty/0/phone', problem: 'not-valid' },
    ])
  })

  it('finds only documented fictional placeholders in the shipped tenant files, never numbers that cannot exist', async () => {
    const tenants = (await loadTenantDirectory(tenantsDir)).all()
    const flags = flagEmergencyContacts(tenants)
    // Every official and on-duty number is a placeholder until the municipality names its own.
    expect(flags.filter((f) => f.problem !== 'fictional')).toEqual([])
    expect(flags.length).toBe(tenants.reduce((n, t) => n + (t.emergency ? t.emergency.officials.length + t.emergency.onDuty.length : 0), 0))
  })
})
