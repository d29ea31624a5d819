import { describe, expect, it } from 'vitest'
import { parseTenant, TenantConfigError, TenantDirectory } from './tenant-directory.js'

const tenant = (id: string, sms: Record<string, unknown>) =>
  parseTenant(`${id}.json`, {
    version: 1,
    id,
    name: `Comune di ${id}`,
    languages: ['it'],
    channels: { sms: { accountSidEnv: 'SMS_SID', authTokenEnv: 'SMS_TOKEN', ...sms } },
    mode: 'unidirectional',
    signup: { doors: ['sms'] },
    keywords: { subscribe: { it: ['ISCRIVIMI'] }, unsubscribe: { it: ['CANCELLAMI'] } },
    topics: [{ id: 'avvisi', names: { it: 'AVVISI' } }],
    texts: { it: {} },
    privacyPolicy: { it: 'Informativa.' },
    contacts: {},
  })

describe('the tenant directory: who sends SMS from where', () => {
  it('finds a tenant by its SMS number or its alphanumeric sender ID, and nothing else', () => {
    const borgo = tenant('borgo', { number: '+393330000778', senderId: 'Com Borgo' })
    const valle = tenant('valle', { number: '+393330000779' })
    const directory = new TenantDirectory([borgo, valle])
    expect(directory.bySmsSender('+393330000778')?.id).toBe('borgo')
    expect(directory.bySmsSender('Com Borgo')?.id).toBe('borgo')
    expect(directory.bySmsSender('+393330000779')?.id).toBe('valle')
    expect(directory.bySmsSender('Com Valle')).toBeUndefined()
  })

  it('refuses a sender ID two tenants claim, and one the gateway would not accept', () => {
    expect(() => new TenantDirectory([tenant('borgo', { number: '+393330000778', senderId: 'Comune' }), tenant('valle', { number: '+393330000779', senderId: 'Comune' })])).toThrow(
      /\/channels\/sms\/senderId.*Comune already belongs to tenant borgo/,
    )
    for (const senderId of ['12345', 'Comune di Borgo', 'Comune-Borgo', '']) {
      expect(() => tenant('borgo', { number: '+393330000778', senderId })).toThrow(TenantConfigError)
    }
  })
})
