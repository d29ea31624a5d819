import { describe, expect, it } from 'vitest'
import { NO_HISTORY } from '../sender/sender-history.js'
import { AT, input, seedProfiles } from '../testing/shipped-ruleset.js'
import { computeMessageFacts } from './message-facts.js'
import { OfficeHoursClock } from './office-hours-clock.js'

async function factsFor(tenant: string, text: string, at = AT) {
  const profile = (await seedProfiles()).get(tenant)
  return computeMessageFacts(input(text, at), NO_HISTORY, profile, new OfficeHoursClock(profile.timezone, profile.officeHours))
}

describe('computeMessageFacts', () => {
  it('leaves the tenant own numbers, addresses and domains out of personal data and external links', async () => {
    const facts = await factsFor('calcinato', 'Ho scritto a segreteria@comune.calcinato.bs.it e chiamato il 366 6896922')
    expect(facts.personalData).toEqual([])
    const other = await factsFor('calcinato', 'La mail di Gino è gino.b@gmail.com, il cell 333 1234567')
    expect(other.personalData).toEqual(['phone', 'email'])
    expect(other.personalDataCount).toBe(2)
  })

  it('splits links into own and external domains', async () => {
    const facts = await factsFor('corbetta', 'vedi servizionline.comune.corbetta.mi.it e https://bit.ly/x e www.offerte.shop')
    expect(facts.linkDomains).toEqual(['servizionline.comune.corbetta.mi.it', 'bit.ly', 'offerte.shop'])
    expect(facts.externalLinkDomains).toEqual(['bit.ly', 'offerte.shop'])
    expect(facts.externalLinkCount).toBe(2)
  })

  it('reads an e-mail address as words, not as leetspeak', async () => {
    const facts = await factsFor('magenta', 'scrivo a ufficio.stampa@comune.magenta.mi.it')
    expect(facts.tokens).toContain('stampa')
    expect(facts.tokens).toContain('comune')
  })

  it('computes shape facts: words, shouting, question, office hours', async () => {
    const shouting = await factsFor('ancona', 'RISPONDETE SUBITO ALLA MIA DOMANDA?')
    expect(shouting.uppercaseRatio).toBe(1)
    expect(shouting.isQuestion).toBe(true)
    expect(shouting.wordCount).toBe(5)
    expect((await factsFor('ancona', 'ok')).uppercaseRatio).toBe(0)
    expect((await factsFor('ancona', 'ciao', Date.parse('2026-03-10T14:30:00Z'))).officeHours).toBe(true)
    expect((await factsFor('ancona', 'ciao', Date.parse('2026-03-11T14:30:00Z'))).officeHours).toBe(false)
  })
})
