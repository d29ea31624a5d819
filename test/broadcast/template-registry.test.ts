import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../harness/index.js'
import { startBroadcastStack, type BroadcastStack } from './support/broadcast-stack.js'
import { BORGO } from './support/broadcast-tenant.js'

/** Borgo's WhatsApp Business Account: the simulator's catalog of it is what Meta would list. */
const WABA = 'borgo-waba-1090777'

const draftWith = (templateName: string, bodyParameters: string[], title = `Avviso ${templateName}`) => ({
  title,
  topics: ['avvisi'],
  whatsapp: { templateName, variants: { it: { code: 'it', bodyParameters } } },
})

/** A weekly series of the template from tomorrow for eight weeks. */
const weeklySeries = () => {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)
  return { ...draftWith('avviso_generico', ['strada chiusa'], 'Raccolta del lunedì'), recurrence: { every: 'week', weekdays: ['monday'], at: '18:00', from: day(1), until: day(57) } }
}

/**
 * The WhatsApp template registry on the real platform: the broadcast service reads Borgo's
 * templates from the simulator's Graph endpoint (GET /{waba-id}/message_templates) at start and
 * on demand, shows their status, category and quality to staff, refuses drafts, approvals and
 * sends of a template Meta does not hold as APPROVED (or with other parameters), and keeps its
 * last snapshot when a read fails.
 */
describe('WhatsApp template registry', () => {
  let stack: BroadcastStack
  let operator: string
  let approver: string
  let admin: string

  const registry = async () => (await stack.call('GET', '/v1/whatsapp-templates', operator)).body
  const sync = async () => {
    const result = await stack.call('POST', '/v1/whatsapp-templates/sync', admin, {})
    expect(result.status, JSON.stringify(result.body)).toBe(200)
    return result.body.results as Array<{ tenant: string; ok: boolean; templates: number; error: string | null }>
  }
  const composeTemplate = async (name: string) => {
    const options = (await stack.call('GET', '/v1/compose-options', operator)).body
    return options.templates.find((t: { name: string }) => t.name === name)
  }

  beforeAll(async () => {
    stack = await startBroadcastStack({
      tenantFile: (document) => {
        const channels = document.channels as { whatsapp: Record<string, unknown> }
        return {
          ...document,
          channels: { ...channels, whatsapp: { ...channels.whatsapp, businessAccountId: WABA } },
          rateCard: { currency: 'EUR', whatsapp: { marketing: 0.0572, utility: 0.0248, authentication: 0.0248, service: 0 }, smsSegment: 0.07 },
          whatsappTemplates: [
            { name: 'avviso_generico', label: 'Avviso generico', category: 'utility', parameters: [{ label: 'Testo' }], languages: { it: { code: 'it', body: 'Comune di Borgo: {{1}}' } } },
            // The tenant file says utility; Meta filed it as marketing, which prices it.
            { name: 'evento_promo', label: 'Evento', category: 'utility', parameters: [{ label: 'Evento' }], languages: { it: { code: 'it', body: 'Vieni a {{1}}!' } } },
          ],
        }
      },
    })
    operator = await stack.token('operator', 'carla@borgo.example')
    approver = await stack.token('approver', 'dario@borgo.example')
    admin = await stack.token('admin', 'segretario@borgo.example')
    // The simulator registered Borgo's number under its business account, with the file's templates.
    expect(stack.sim.simulator.senders.whatsapp(BORGO.phoneNumberId)?.businessAccountId).toBe(WABA)
    stack.sim.setTemplate(WABA, { name: 'evento_promo', language: 'it', category: 'MARKETING', qualityRating: 'YELLOW', bodyParameters: 1, body: 'Vieni a {{1}}!' })
    stack.sim.setTemplate(WABA, { name: 'avviso_generico', language: 'it', qualityRating: 'GREEN', bodyParameters: 1, body: 'Comune di Borgo: {{1}}' })
  })
  afterAll(async () => {
    await stack?.stop()
  })

  it('syncs at start and lists status, category and quality, with the templates the tenant file does not offer', async () => {
    // The start-up read happened (or is under way); the manual sync sees the catalog as the test set it.
    await waitUntil(async () => (await registry()).sync.state === 'synced', { what: 'the start-up sync' })
    const [result] = await sync()
    expect(result).toMatchObject({ tenant: BORGO.id, ok: true, error: null })
    const view = await registry()
    expect(view.sync).toMatchObject({ state: 'synced', lastError: null, message: expect.stringMatching(/^Modelli letti da Meta il /) })
    expect(Date.parse(view.sync.syncedAt)).toBeGreaterThan(Date.now() - 60_000)
    expect(view.templates).toContainEqual({
      name: 'avviso_generico', language: 'it', status: 'APPROVED', category: 'UTILITY', qualityRating: 'GREEN', body: 'Comune di Borgo: {{1}}', parameterCount: 1, configured: true,
    })
    expect(view.templates).toContainEqual(expect.objectContaining({ name: 'evento_promo', category: 'MARKETING', qualityRating: 'YELLOW', configured: true }))
    expect(view.templates).toContainEqual(expect.objectContaining({ name: 'avviso_viabilita', language: 'fr', parameterCount: 2, configured: false }))

    const options = (await stack.call('GET', '/v1/compose-options', operator)).body
    expect(options.templateRegistry).toMatchObject({ state: 'synced', syncedAt: view.sync.syncedAt })
    expect(options.templates.find((t: { name: string }) => t.name === 'avviso_generico')).toMatchObject({
      label: 'Avviso generico',
      registry: { status: 'APPROVED', category: 'UTILITY', qualityRating: 'GREEN', usable: true, languages: { it: { code: 'it', status: 'APPROVED', parameterCount: 1 } } },
    })
    expect(options.unconfiguredTemplates.map((t: { name: string }) => t.name)).toContain('avviso_viabilita')
  })

  it('prices the plan at the category Meta gives the template', async () => {
    const created = await stack.call('POST', '/v1/broadcasts', operator, draftWith('evento_promo', ['la sagra']))
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const plan = await stack.call('GET', `/v1/broadcasts/${created.body.id}/plan`, approver)
    expect(plan.status, JSON.stringify(plan.body)).toBe(200)
    expect(plan.body.cost.whatsapp).toMatchObject({ category: 'marketing', unitPrice: 0.0572 })
  })

  it('refuses a draft with a paused template, naming it and its status, and accepts it once Meta approves it again', async () => {
    stack.sim.updateTemplate(WABA, 'avviso_generico', { status: 'PAUSED', qualityRating: 'RED' })
    await sync()
    const refused = await stack.call('POST', '/v1/broadcasts', operator, draftWith('avviso_generico', ['strada chiusa']))
    expect(refused.status).toBe(422)
    expect(refused.body).toMatchObject({ code: 'DRAFT_INVALID' })
    expect(refused.body.detail).toContain('/whatsapp/variants/it: il modello WhatsApp "avviso_generico" (it) è sospeso (stato Meta PAUSED)')
    expect(refused.body.detail).toContain('si può inviare solo un modello approvato')
    expect(await composeTemplate('avviso_generico')).toMatchObject({ registry: { status: 'PAUSED', qualityRating: 'RED', usable: false } })
    // The editor's dry run says so while they type, and a recurring series is refused the same way.
    const preview = await stack.call('POST', '/v1/broadcasts/preview', operator, draftWith('avviso_generico', ['strada chiusa']))
    expect(preview.status).toBe(422)
    expect(preview.body.detail).toContain('il modello WhatsApp "avviso_generico" (it) è sospeso (stato Meta PAUSED)')
    const seriesRefused = await stack.call('POST', '/v1/recurring-broadcasts', operator, weeklySeries())
    expect(seriesRefused.status).toBe(422)
    expect(seriesRefused.body).toMatchObject({ code: 'DRAFT_INVALID' })
    expect(seriesRefused.body.detail).toContain('il modello WhatsApp "avviso_generico" (it) è sospeso (stato Meta PAUSED)')

    stack.sim.updateTemplate(WABA, 'avviso_generico', { status: 'APPROVED', qualityRating: 'YELLOW' })
    await sync()
    const accepted = await stack.call('POST', '/v1/broadcasts', operator, draftWith('avviso_generico', ['strada chiusa']))
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201)
    expect((await stack.call('POST', '/v1/broadcasts/preview', operator, draftWith('avviso_generico', ['strada chiusa']))).status).toBe(200)
    const series = await stack.call('POST', '/v1/recurring-broadcasts', operator, weeklySeries())
    expect(series.status, JSON.stringify(series.body)).toBe(201)
  })

  it('refuses the wrong number of parameters and a template the account does not hold', async () => {
    const tooMany = await stack.call('POST', '/v1/broadcasts', operator, draftWith('avviso_generico', ['uno', 'due']))
    expect(tooMany.status).toBe(422)
    expect(tooMany.body.detail).toContain('il modello WhatsApp "avviso_generico" (it) ha 1 parametro, la bozza ne compila 2')

    const unknown = await stack.call('POST', '/v1/broadcasts', operator, draftWith('modello_inesistente', ['uno']))
    expect(unknown.status).toBe(422)
    expect(unknown.body.detail).toContain('il modello WhatsApp "modello_inesistente" non esiste nella lingua "it"')

    // A translation Meta does not hold: avviso_generico has no French.
    const french = await stack.call('POST', '/v1/broadcasts', operator, {
      ...draftWith('avviso_generico', ['uno']),
      whatsapp: { templateName: 'avviso_generico', variants: { it: { code: 'it', bodyParameters: ['uno'] }, fr: { code: 'fr', bodyParameters: ['un'] } } },
    })
    expect(french.status).toBe(422)
    expect(french.body.detail).toContain('non esiste nella lingua "fr"')
  })

  it('re-checks at approval and at send: a template paused in between is refused with the same reason', async () => {
    const created = await stack.call('POST', '/v1/broadcasts', operator, draftWith('avviso_generico', ['mercato spostato']))
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const id = created.body.id as string

    stack.sim.updateTemplate(WABA, 'avviso_generico', { status: 'PAUSED' })
    await sync()
    const approval = await stack.call('POST', `/v1/broadcasts/${id}/approve`, approver, { acknowledgeFindings: true })
    expect(approval.status).toBe(422)
    expect(approval.body.detail).toContain('il modello WhatsApp "avviso_generico" (it) è sospeso (stato Meta PAUSED)')

    stack.sim.updateTemplate(WABA, 'avviso_generico', { status: 'APPROVED' })
    await sync()
    const approved = await stack.call('POST', `/v1/broadcasts/${id}/approve`, approver, { acknowledgeFindings: true })
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)

    stack.sim.updateTemplate(WABA, 'avviso_generico', { status: 'DISABLED' })
    await sync()
    const send = await stack.call('POST', `/v1/broadcasts/${id}/send`, approver, {})
    expect(send.status).toBe(422)
    expect(send.body.detail).toContain('il modello WhatsApp "avviso_generico" (it) è disattivato (stato Meta DISABLED)')
    // Nothing was dispatched: the broadcast is still approved.
    expect((await stack.call('GET', `/v1/broadcasts/${id}`, approver)).body.status).toBe('approved')
    stack.sim.updateTemplate(WABA, 'avviso_generico', { status: 'APPROVED' })
    await sync()
  })

  it('keeps the last snapshot when a read fails, and says why', async () => {
    const before = await registry()
    expect(before.templates.length).toBeGreaterThan(0)
    // Meta stops taking the platform's token (revoked, expired): 190.
    const sender = stack.sim.simulator.senders.whatsapp(BORGO.phoneNumberId)!
    stack.sim.simulator.senders.addWhatsApp({ ...sender, accessToken: 'a-token-meta-revoked' })
    try {
      const [result] = await sync()
      expect(result).toMatchObject({ tenant: BORGO.id, ok: false, templates: 0 })
      expect(result?.error).toMatch(/HTTP 401/)
      const after = await registry()
      expect(after.templates).toEqual(before.templates)
      expect(after.sync).toMatchObject({ state: 'synced', syncedAt: before.sync.syncedAt, lastError: result?.error })
      expect(after.sync.message).toMatch(/^Ultima lettura da Meta non riuscita/)
      expect(stack.logs.lines().some((line) => line.msg === 'WhatsApp templates not synced; the last snapshot is kept')).toBe(true)
      // Drafts are still checked against the snapshot kept.
      const tooMany = await stack.call('POST', '/v1/broadcasts', operator, draftWith('avviso_generico', ['uno', 'due']))
      expect(tooMany.status).toBe(422)
    } finally {
      stack.sim.simulator.senders.addWhatsApp(sender)
    }
    const [recovered] = await sync()
    expect(recovered).toMatchObject({ ok: true, error: null })
    expect((await registry()).sync.lastError).toBeNull()
  })

  it('only admins sync on demand', async () => {
    expect((await stack.call('POST', '/v1/whatsapp-templates/sync', operator, {})).status).toBe(403)
    expect((await stack.call('GET', '/v1/whatsapp-templates', approver)).status).toBe(200)
  })
})
