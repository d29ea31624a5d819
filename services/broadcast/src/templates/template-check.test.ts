import type { BroadcastDraftBody, Tenant } from '@banditore/contracts'
import { describe, expect, it } from 'vitest'
import { DraftInvalidError } from '../broadcast-errors.js'
import type { TemplateSnapshot } from '../repositories/whatsapp-template.repository.js'
import { checkDraftTemplate, composeTemplatesOf, registryCategoryOf, syncStateOf } from './template-check.js'

const syncedAt = new Date('2026-12-16T09:00:00Z')
const snapshot = (status = 'APPROVED', parameterCount = 1): TemplateSnapshot => ({
  templates: [{ name: 'avviso', language: 'it', status, category: 'MARKETING', qualityRating: 'YELLOW', body: 'Avviso: {{1}}', parameterCount }],
  sync: { syncedAt, attemptedAt: syncedAt, error: null },
})
const draft = (bodyParameters: string[], code = 'it'): BroadcastDraftBody =>
  ({ title: 't', topics: ['avvisi'], whatsapp: { templateName: 'avviso', variants: { it: { code, bodyParameters } } } }) as BroadcastDraftBody
const tenant = {
  id: 'borgo',
  channels: { whatsapp: { phoneNumberId: '1', businessAccountId: 'waba' } },
  whatsappTemplates: [{ name: 'avviso', label: 'Avviso', parameters: [{ label: 'Testo' }], languages: { it: { code: 'it', body: 'Avviso: {{1}}' } } }],
} as unknown as Tenant

const refusal = (run: () => void) => {
  try {
    run()
  } catch (error) {
    if (error instanceof DraftInvalidError) return error.message
    throw error
  }
  return undefined
}

describe('the draft check against the template registry', () => {
  it('accepts an approved template with its parameters filled, and anything before the first sync', () => {
    expect(refusal(() => checkDraftTemplate(draft(['x']), snapshot()))).toBeUndefined()
    expect(refusal(() => checkDraftTemplate(draft([]), { templates: [], sync: undefined }))).toBeUndefined()
  })

  it('names the template and its state in Italian', () => {
    expect(refusal(() => checkDraftTemplate(draft(['x']), snapshot('PAUSED')))).toMatch(/^\/whatsapp\/variants\/it: il modello WhatsApp "avviso" \(it\) è sospeso \(stato Meta PAUSED\)/)
    expect(refusal(() => checkDraftTemplate(draft(['x']), snapshot('PENDING')))).toContain('è in revisione')
    expect(refusal(() => checkDraftTemplate(draft(['x']), snapshot('REJECTED')))).toContain('è rifiutato')
    expect(refusal(() => checkDraftTemplate(draft(['x', 'y']), snapshot()))).toContain('ha 1 parametro, la bozza ne compila 2')
    expect(refusal(() => checkDraftTemplate(draft(['x'], 'en_US'), snapshot()))).toContain('non esiste nella lingua "en_US"')
  })

  it('annotates the picker and prices at the registry category', () => {
    expect(composeTemplatesOf(tenant, snapshot('DISABLED'))[0]?.registry).toEqual({
      status: 'DISABLED',
      category: 'MARKETING',
      qualityRating: 'YELLOW',
      usable: false,
      languages: { it: { code: 'it', status: 'DISABLED', qualityRating: 'YELLOW', parameterCount: 1 } },
    })
    expect(composeTemplatesOf(tenant, { templates: [], sync: undefined })[0]?.registry).toBeUndefined()
    expect(registryCategoryOf(draft(['x']), snapshot())).toBe('marketing')
    expect(syncStateOf(tenant, { templates: [], sync: undefined })).toMatchObject({ state: 'never-synced', syncedAt: null })
    expect(syncStateOf(tenant, { ...snapshot(), sync: { syncedAt, attemptedAt: new Date('2026-12-16T10:00:00Z'), error: 'HTTP 401' } }).message).toMatch(
      /^Ultima lettura da Meta non riuscita \(.*HTTP 401\); si usano i modelli letti il /,
    )
  })
})
