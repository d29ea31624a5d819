import { broadcastCorrelation, type BroadcastContent } from '@banditore/contracts'
import { parseTenant } from '@banditore/platform'
import { DispatchSlotMissedError, InvalidPhoneNumberError, ProviderError, type SendSmsInput, type SendTemplateInput, type TwilioSmsClient, type WhatsAppCloudClient } from '@banditore/providers'
import { describe, expect, it, vi } from 'vitest'
import { MissingContentError, outcomeOfError, PairSlotMissedError, sendToRows, senderKeyOf } from './broadcast-send-batch.js'
import type { LeasedRateLimiter } from '../rate-limit/rate-limit-lease-limiter.js'
import type { LedgerRow } from './send-ledger.repository.js'

const tenant = parseTenant('borgo.json', {
  version: 1,
  id: 'borgo',
  name: 'Comune di Borgo',
  languages: ['it', 'fr'],
  channels: {
    whatsapp: { phoneNumberId: '1097', number: '+393330000777', accessTokenEnv: 'WA_TOKEN', appSecretEnv: 'WA_SECRET' },
    sms: { number: '+393330000778', accountSidEnv: 'SMS_SID', authTokenEnv: 'SMS_TOKEN' },
  },
  mode: 'unidirectional',
  signup: { doors: ['whatsapp', 'sms'] },
  keywords: { subscribe: { it: ['ISCRIVIMI'] }, unsubscribe: { it: ['CANCELLAMI'] } },
  topics: [{ id: 'avvisi', names: { it: 'AVVISI', fr: 'AVIS' } }],
  texts: { it: {}, fr: {} },
  privacyPolicy: { it: 'Informativa.', fr: 'Politique.' },
  contacts: {},
})
const broadcastId = '6f9a4e0c-58b1-4a59-9a0e-0d6c0b1e2f3a'
const content: BroadcastContent = {
  whatsapp: { templateName: 'avviso', variants: { it: { code: 'it', bodyParameters: ['via Roma'] }, fr: { code: 'fr', bodyParameters: ['rue de Rome'] } } },
  sms: { texts: { it: 'Via Roma chiusa' } },
  media: { kind: 'image', url: 'https://borgo.example/mappa.png' },
}
const row = (id: number, channel: 'whatsapp' | 'sms', language: string): LedgerRow => ({
  id,
  subscriberId: `s${id}`,
  phone: `+39347000000${id}`,
  channel,
  language,
  state: 'sending',
  attempts: 1,
})

/** The provider clients, faked at their I/O edge: they record what they were asked to send. */
function fakes(fail?: (to: string) => Error | undefined) {
  const templates: SendTemplateInput[] = []
  const sms: SendSmsInput[] = []
  const whatsapp: WhatsAppCloudClient = {
    sendText: vi.fn(),
    sendMedia: vi.fn(),
    sendInteractive: vi.fn(),
    async sendTemplate(input) {
      templates.push(input)
      const error = fail?.(input.to)
      if (error) throw error
      return { provider: 'whatsapp-cloud', providerMessageId: `wamid.${input.to}`, to: input.to, correlation: input.correlation }
    },
  }
  const twilio: TwilioSmsClient = {
    async sendSms(input) {
      sms.push(input)
      return { provider: 'sms-gateway', providerMessageId: `SM${input.to}`, to: input.to, correlation: input.correlation }
    },
  }
  const rateLimiter = { acquire: vi.fn(), throttled: vi.fn(async () => undefined), waiting: () => 0, stats: vi.fn() } as unknown as LeasedRateLimiter
  const deps = { whatsapp, sms: twilio, rateLimiter, secret: (name: string) => `secret:${name}`, smsStatusCallbackUrl: 'https://ingest.example/webhooks/sms/status' }
  return { deps, templates, sms, rateLimiter }
}

describe('sendToRows', () => {
  it('sends SMS notices from the alphanumeric sender ID, and what must be answered from the number', async () => {
    const withId = { ...tenant, channels: { ...tenant.channels, sms: { ...tenant.channels.sms!, senderId: 'Com Borgo' } } }
    const { deps, sms } = fakes()
    const message = { broadcastId, tenant: withId, content, defaultLanguage: 'it' }
    await sendToRows(deps, message, [row(1, 'sms', 'it')], { concurrency: 1 })
    await sendToRows(deps, { ...message, answerable: true }, [row(2, 'sms', 'it')], { concurrency: 1 })
    expect(sms.map((input) => [input.to, input.from, input.senderId])).toEqual([
      ['+393470000001', '+393330000778', 'Com Borgo'],
      ['+393470000002', '+393330000778', undefined],
    ])
  })

  it('sends each row its language’s variant, tagged with its ledger id', async () => {
    const { deps, templates, sms } = fakes()
    const outcomes = await sendToRows(deps, { broadcastId, tenant, content, defaultLanguage: 'it' }, [row(1, 'whatsapp', 'fr'), row(2, 'whatsapp', 'de'), row(3, 'sms', 'fr')], {
      concurrency: 2,
    })
    expect(outcomes.sort((a, b) => a.id - b.id)).toEqual([
      { id: 1, kind: 'accepted', providerMessageId: 'wamid.+393470000001' },
      { id: 2, kind: 'accepted', providerMessageId: 'wamid.+393470000002' },
      { id: 3, kind: 'accepted', providerMessageId: 'SM+393470000003' },
    ])
    const fr = templates.find((t) => t.to === '+393470000001')
    expect(fr).toMatchObject({
      sender: { phoneNumberId: '1097', accessToken: 'secret:WA_TOKEN' },
      correlation: broadcastCorrelation(broadcastId, 1),
      template: { name: 'avviso', languageCode: 'fr', header: [{ type: 'image', link: 'https://borgo.example/mappa.png' }], body: [{ type: 'text', text: 'rue de Rome' }] },
    })
    // No German variant: the default language's.
    expect(templates.find((t) => t.to === '+393470000002')?.template.languageCode).toBe('it')
    expect(sms[0]).toMatchObject({ from: '+393330000778', body: 'Via Roma chiusa', mediaUrls: ['https://borgo.example/mappa.png'], correlation: broadcastCorrelation(broadcastId, 3) })
  })

  it('turns each failure into what the ledger must do, and slows the sender on throttling', async () => {
    const errors: Record<string, Error> = {
      '+393470000001': new ProviderError('throttled', { provider: 'whatsapp-cloud', kind: 'throttled', providerCode: '130429', retryAfterMs: 500 }),
      '+393470000002': new ProviderError('pair', { provider: 'whatsapp-cloud', kind: 'throttled', providerCode: '131056' }),
      '+393470000003': new ProviderError('500', { provider: 'whatsapp-cloud', kind: 'retryable', httpStatus: 500, ambiguous: true }),
      '+393470000004': new ProviderError('undeliverable', { provider: 'whatsapp-cloud', kind: 'permanent', providerCode: '131026' }),
    }
    const { deps, rateLimiter } = fakes((to) => errors[to])
    const outcomes = await sendToRows(deps, { broadcastId, tenant, content, defaultLanguage: 'it' }, [1, 2, 3, 4].map((i) => row(i, 'whatsapp', 'it')), { concurrency: 4 })
    expect(outcomes.sort((a, b) => a.id - b.id)).toEqual([
      { id: 1, kind: 'released', reason: 'whatsapp-cloud:130429' },
      { id: 2, kind: 'released', reason: 'whatsapp-cloud:131056' },
      { id: 3, kind: 'ambiguous', reason: 'whatsapp-cloud:500' },
      { id: 4, kind: 'failed', reason: 'whatsapp-cloud:131026' },
    ])
    // The sender's rate is lowered for its throughput, not for one recipient's pair limit.
    expect(rateLimiter.throttled).toHaveBeenCalledTimes(1)
    expect(rateLimiter.throttled).toHaveBeenCalledWith(senderKeyOf(tenant, 'whatsapp'), 500)
  })

  it('puts a send back unsent when its reserved slot falls after its pair window', async () => {
    const { deps } = fakes()
    const now = () => performance.timeOrigin + performance.now()
    // Row 1's slot is within its 100 ms pair window, row 2's is 500 ms away.
    const slotIn = new Map([['+393470000001', 20], ['+393470000002', 500]])
    const reserve = vi.fn(async () => ({ at: now() + (slotIn.get(pending.shift() ?? '') ?? 0), lateMs: 5 }))
    const pending: string[] = []
    deps.rateLimiter = { ...deps.rateLimiter, reserve } as unknown as LeasedRateLimiter
    const sent: string[] = []
    deps.whatsapp = {
      ...deps.whatsapp,
      async sendTemplate(input) {
        // As the adapter does with a slot-dispatching transport: reserve, then send.
        pending.push(input.to)
        await input.rateLimiter?.reserve?.(senderKeyOf(tenant, 'whatsapp') as string)
        sent.push(input.to)
        return { provider: 'whatsapp-cloud', providerMessageId: `wamid.${input.to}`, to: input.to, correlation: input.correlation }
      },
    }
    const outcomes = await sendToRows(deps, { broadcastId, tenant, content, defaultLanguage: 'it' }, [row(1, 'whatsapp', 'it'), row(2, 'whatsapp', 'it')], {
      concurrency: 1,
      waitMs: new Map([[1, 0], [2, 0]]),
      pairWindowMs: 100,
    })
    expect(outcomes).toEqual([
      { id: 1, kind: 'accepted', providerMessageId: 'wamid.+393470000001' },
      { id: 2, kind: 'released', reason: 'PairSlotMissedError', unsent: true },
    ])
    expect(sent).toEqual(['+393470000001'])
  })

  it('fails a row the broadcast has nothing for', async () => {
    const { deps } = fakes()
    const outcomes = await sendToRows(deps, { broadcastId, tenant, content: { whatsapp: content.whatsapp }, defaultLanguage: 'it' }, [row(5, 'sms', 'it')], { concurrency: 1 })
    expect(outcomes).toEqual([{ id: 5, kind: 'failed', reason: 'no-content-for-channel' }])
  })
})

describe('outcomeOfError', () => {
  it('knows a request that never left from one that may have been accepted', () => {
    expect(outcomeOfError(1, new InvalidPhoneNumberError('NOT_A_NUMBER'))).toEqual({ id: 1, kind: 'failed', reason: 'invalid-number' })
    expect(outcomeOfError(2, new ProviderError('refused', { provider: 'sms-gateway', kind: 'retryable', httpStatus: 503, ambiguous: false }))).toMatchObject({ kind: 'released' })
    expect(outcomeOfError(3, new ProviderError('timeout', { provider: 'sms-gateway', kind: 'retryable', ambiguous: true }))).toEqual({ id: 3, kind: 'ambiguous', reason: 'sms-gateway:network' })
    expect(outcomeOfError(4, new MissingContentError('sms'))).toMatchObject({ kind: 'failed' })
    expect(outcomeOfError(5, new Error('lease failed'))).toEqual({ id: 5, kind: 'released', reason: 'Error' })
  })

  it('does not count an attempt whose slot went by before any request left', () => {
    expect(outcomeOfError(6, new PairSlotMissedError())).toEqual({ id: 6, kind: 'released', reason: 'PairSlotMissedError', unsent: true })
    const late = new ProviderError('not written', { provider: 'whatsapp-cloud', kind: 'retryable', ambiguous: false, cause: new DispatchSlotMissedError(40) })
    expect(outcomeOfError(7, late)).toEqual({ id: 7, kind: 'released', reason: 'DispatchSlotMissedError', unsent: true })
  })
})
