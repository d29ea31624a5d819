import { OutboundCheckReplyContract, OutboundCheckRequestContract } from '@banditore/contracts'
import { describe, expect, it } from 'vitest'
import { RulesetStore } from '../ruleset/ruleset-store.js'
import { AT, seedProfiles, shippedRuleset } from '../testing/shipped-ruleset.js'
import { checkBroadcastDraft } from './outbound-check.js'
import { answerOutboundCheck } from './outbound-responder.js'

const ruleset = await shippedRuleset()

describe('checkBroadcastDraft', () => {
  it('lets institutional messages through, elections included', async () => {
    const result = await checkBroadcastDraft(
      ruleset,
      'corbetta',
      {
        it: 'Elezioni europee: i seggi sono aperti domenica dalle 7 alle 23. Portate la tessera elettorale e un documento.',
      },
      AT,
    )
    expect(result).toEqual({ flagged: false, categories: [], findings: [], rulesetVersion: ruleset.version })
  })

  it('flags electoral propaganda and advertising, per language with the rules that found them', async () => {
    const result = await checkBroadcastDraft(
      ruleset,
      'gressan',
      {
        it: 'Domenica votate la lista del sindaco! Pizzeria Bella Napoli: nuova apertura in piazza.',
        fr: 'Votez pour notre liste aux élections communales.',
      },
      AT,
    )
    expect(result.flagged).toBe(true)
    expect(result.categories).toEqual(['commercial-promotion', 'political-propaganda'])
    expect(result.findings).toEqual([
      { language: 'fr', categories: ['political-propaganda'], rules: ['outbound-electoral-propaganda'] },
      { language: 'it', categories: ['commercial-promotion', 'political-propaganda'], rules: ['outbound-advertising', 'outbound-electoral-propaganda'] },
    ])
  })

  it("applies a tenant's stricter outbound rules (Magenta: two commercial words are advertising)", async () => {
    const text = { it: 'Notte bianca: sconti nei negozi del centro fino a mezzanotte.' }
    expect((await checkBroadcastDraft(ruleset, 'magenta', text, AT)).categories).toEqual(['commercial-promotion'])
    expect((await checkBroadcastDraft(ruleset, 'corbetta', text, AT)).categories).toEqual([])
  })
})

describe('answerOutboundCheck', () => {
  const store = async () => new RulesetStore(ruleset, await seedProfiles())

  it('answers a request with the contract reply', async () => {
    const request = OutboundCheckRequestContract.encode({ version: 1, tenant: 'magenta', texts: { it: 'Forza Italia, avanti!' }, broadcastId: 'b-1' })
    const reply = OutboundCheckReplyContract.parse(await answerOutboundCheck(await store(), request, new Date(AT)))
    expect(reply).toMatchObject({ ok: true, flagged: true, categories: ['political-propaganda'], rulesetVersion: ruleset.version })
  })

  it('answers ok: false, with the reason, to a request that breaks its contract', async () => {
    const reply = await answerOutboundCheck(await store(), new TextEncoder().encode('{"version":1,"tenant":"magenta"}'), new Date(AT))
    expect(OutboundCheckReplyContract.is(reply)).toBe(true)
    expect(reply).toMatchObject({ ok: false, error: { code: 'CONTRACT_VIOLATION', message: expect.stringMatching(/texts/) } })
  })
})
