import { describe, expect, it } from 'vitest'
import { findEmailAddresses } from './email-address-detector.js'
import { findLicencePlates } from './licence-plate-detector.js'
import { findLinks, isDomainWithin } from './link-detector.js'
import { findPhoneNumbers } from './phone-number-detector.js'
import { findStreetAddresses } from './street-address-detector.js'

describe('phone numbers', () => {
  it('finds Italian mobiles and landlines as written, in E.164', () => {
    expect(findPhoneNumbers('chiamate il 333 123 4567')).toEqual(['+393331234567'])
    expect(findPhoneNumbers('+39 347-123.4567')).toEqual(['+393471234567'])
    expect(findPhoneNumbers('0039 3471234567')).toEqual(['+393471234567'])
    expect(findPhoneNumbers('ufficio 02/12345678 oppure 0331 123456')).toEqual(['+390212345678', '+390331123456'])
    expect(findPhoneNumbers('numero verde 800 123 456')).toEqual(['+39800123456'])
    expect(findPhoneNumbers('in Svizzera +41 79 123 45 67')).toEqual(['+41791234567'])
  })

  it('ignores dates, times, amounts, references, postcodes and account numbers', () => {
    const text = 'il 03.12.2024 alle 9.30, importo 350.000.000, prot. 0012345/2024, CAP 20011, IBAN IT60X0542811101000000123456, anno 2024'
    expect(findPhoneNumbers(text)).toEqual([])
  })
})

describe('e-mail addresses', () => {
  it('finds addresses with their domain, lower-cased', () => {
    expect(findEmailAddresses('scrivete a Mario.Rossi@Gmail.com o protocollo@comune.corbetta.mi.it.')).toEqual([
      { address: 'mario.rossi@gmail.com', domain: 'gmail.com' },
      { address: 'protocollo@comune.corbetta.mi.it', domain: 'comune.corbetta.mi.it' },
    ])
    expect(findEmailAddresses('ci vediamo @ piazza, 10@20')).toEqual([])
  })
})

describe('licence plates', () => {
  it('finds current Italian plates, upper case with spaces or compact', () => {
    expect(findLicencePlates('la AB 123 CD e la ef456gh')).toEqual(['AB123CD', 'EF456GH'])
  })
  it('ignores letters plates never use and lower case with spaces', () => {
    expect(findLicencePlates('IO 123 UQ, la 123 le, ab 123 cd')).toEqual([])
  })
})

describe('street addresses', () => {
  it('finds a street word, a name and a house number', () => {
    expect(findStreetAddresses('Abita in via Garibaldi 12, vicino a Piazza XXV Aprile, 3/b')).toEqual([
      { street: 'via Garibaldi', number: '12' },
      { street: 'Piazza XXV Aprile', number: '3/b' },
    ])
    expect(findStreetAddresses('Corso Vittorio Emanuele II n. 45')).toEqual([{ street: 'Corso Vittorio Emanuele II', number: '45' }])
    expect(findStreetAddresses('hameau de Chez Croux 7')).toEqual([{ street: 'hameau de Chez Croux', number: '7' }])
  })
  it('does not take a time or a street without number for an address', () => {
    expect(findStreetAddresses('ci vediamo in via Roma alle 3, poi in piazza Duomo')).toEqual([])
  })
})

describe('links', () => {
  it('finds URLs, www hosts and bare domains; domains without www', () => {
    expect(findLinks('guarda https://www.comune.corbetta.mi.it/home?x=1, e bit.ly/abc e www.offerte.shop!')).toEqual([
      { url: 'https://www.comune.corbetta.mi.it/home?x=1', domain: 'comune.corbetta.mi.it' },
      { url: 'bit.ly/abc', domain: 'bit.ly' },
      { url: 'www.offerte.shop', domain: 'offerte.shop' },
    ])
  })
  it('does not take an e-mail host, a file name or an abbreviation for a link', () => {
    expect(findLinks('scrivete a a@comune.it, allegato doc.pdf, sig.ra Rossi, S.p.A.')).toEqual([])
  })
  it('knows subdomains', () => {
    expect(isDomainWithin('servizionline.comune.corbetta.mi.it', 'comune.corbetta.mi.it')).toBe(true)
    expect(isDomainWithin('comune.corbetta.mi.it.evil.com', 'comune.corbetta.mi.it')).toBe(false)
    expect(isDomainWithin('notcomune.corbetta.mi.it', 'comune.corbetta.mi.it')).toBe(false)
  })
})
