import { safetyPollPayload } from '@banditore/contracts'
import { describe, expect, it } from 'vitest'
import { readSafetyPollAnswer } from './safety-poll-answer.js'

const POLL = '7d3f0c2e-9a41-4b8e-8f00-3c5d2e1a9b77'
const OTHER = '0b6a1f4e-2c3d-4e5f-8a9b-0c1d2e3f4a5b'
const read = (text: string) => readSafetyPollAnswer(POLL, { text })

describe('readSafetyPollAnswer', () => {
  it.each([
    '1',
    '1.',
    ' 1 ',
    '1️⃣',
    '1 sto bene',
    '1 - Sto bene',
    'Sto bene',
    'STO BENE!!!',
    'sto bene grazie',
    'Stiamo tutti bene, grazie',
    'tutto ok',
    'Tutto a posto',
    'ok',
    'OK 👍',
    '👍',
    'uno',
    'siamo al sicuro',
    'non ho bisogno di aiuto, stiamo bene',
    'Nessun problema qui',
    'Je vais bien',
    'ça va',
    'Tout va bien merci',
    "je n'ai pas besoin d'aide",
    'bene',
  ])('%j is "I am fine"', (text) => {
    expect(read(text)).toBe('ok')
  })

  it.each([
    '2',
    '2.',
    '2️⃣',
    '2 ho bisogno di aiuto',
    '2 siamo bloccati al primo piano, via Roma 12',
    'AIUTO',
    'aiuto!!!',
    'Ho bisogno di aiuto',
    'abbiamo bisogno di soccorso, acqua in casa',
    'sos',
    'mia madre è bloccata in casa',
    'non sto bene',
    'sto male',
    'due',
    '🆘',
    '1 ma mio padre è ferito',
    "j'ai besoin d'aide",
    'Au secours',
    'aidez-nous nous sommes bloqués',
    'deux',
    'sto bene ma la vicina ha bisogno di aiuto',
  ])('%j is "I need help"', (text) => {
    expect(read(text)).toBe('help')
  })

  it.each([
    '',
    'a che ora riapre la scuola?',
    'Buongiorno, volevo sapere se domani passa la raccolta della carta e a che ora bisogna esporre i bidoni',
    '3',
    '12',
    '10 minuti fa è saltata la luce',
    'un chat dans la rue',
    '😂',
    'grazie',
  ])('%j is no answer', (text) => {
    expect(read(text)).toBeUndefined()
  })

  it("reads the poll's own buttons and ignores another poll's", () => {
    expect(readSafetyPollAnswer(POLL, { buttonId: safetyPollPayload(POLL, 'help'), text: 'Ho bisogno di aiuto' })).toBe('help')
    expect(readSafetyPollAnswer(POLL, { buttonId: safetyPollPayload(POLL, 'ok'), text: 'Sto bene' })).toBe('ok')
    expect(readSafetyPollAnswer(POLL, { buttonId: safetyPollPayload(OTHER, 'ok'), text: 'Sto bene' })).toBeUndefined()
    // A button that is not a poll's (the topic menu) is read by its text.
    expect(readSafetyPollAnswer(POLL, { buttonId: 'topics:all', text: 'Tutti i temi' })).toBeUndefined()
  })
})
