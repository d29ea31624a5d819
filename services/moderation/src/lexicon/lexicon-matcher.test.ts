import { describe, expect, it } from 'vitest'
import { normalizeText } from '../text/text-normalizer.js'
import { shippedRuleset } from '../testing/shipped-ruleset.js'
import { LexiconIndex, LexiconTermError, parseTerm } from './lexicon-matcher.js'

const index = new LexiconIndex(
  new Map([
    ['vulgar', ['cazzo', 'culo', 'stronz*', 'figlio di puttana', 'merda']],
    ['threats', ['ti ammazzo', 'so dove abiti']],
  ]),
)
const count = (text: string) => {
  const [vulgar, threats] = index.countMatches(normalizeText(text).tokens)
  return { vulgar, threats }
}

describe('LexiconIndex', () => {
  it('matches whole tokens, never substrings (the Scunthorpe problem)', () => {
    expect(count('Scunthorpe, cultura, calcolo, culla, immerdabile, sculacciata').vulgar).toBe(0)
    expect(count('che culo').vulgar).toBe(1)
  })

  it('matches prefixes, sequences and counts distinct terms once', () => {
    expect(count('che stronzate, stronzo').vulgar).toBe(1)
    expect(count('sei un figlio di puttana, merda').vulgar).toBe(2)
    expect(count('figlio di un vicino').vulgar).toBe(0)
    expect(count('cazzo cazzo cazzo').vulgar).toBe(1)
    expect(count('ti ammazzo, so dove abiti').threats).toBe(2)
  })

  it('sees through spacing, repeated letters, leetspeak and masks', () => {
    for (const text of ['c.a.z.z.o', 'ca zzo', 'CAZZZZOOOO', 'c4zz0', 'c*zzo', 'c**zo', 'm**da']) {
      expect(count(text).vulgar, text).toBe(1)
    }
    expect(count('t1 4mm4zz0').threats).toBe(1)
  })

  it('reads a long word with one typo as the term word it misspells, never a different word', () => {
    const typos = new LexiconIndex(new Map([['terms', ['corrotto', 'documenti falsi', 'evacuate', 'vediamo']]]))
    const found = (text: string) => typos.countMatches(normalizeText(text).tokens)[0]
    for (const text of ['documnti falsi', 'docuemnti falsi', 'documentsi falsi', 'evacutae']) expect(found(text), text).toBe(1)
    // A letter replaced is another word; a word shorter than 8 letters is never read as another.
    expect(found('il modulo è corretto')).toBe(0)
    expect(found('evacuare subito')).toBe(0)
    expect(found('vendiamo')).toBe(0)
  })

  it('refuses terms that would match ordinary text', () => {
    expect(() => parseTerm('cul*')).toThrow(LexiconTermError)
    expect(() => parseTerm('xxx')).toThrow(/single letter/)
    expect(() => parseTerm('stronz* di')).toThrow(/last word/)
    expect(() => parseTerm('!!!')).toThrow(/no letters/)
    expect(parseTerm('figlio di puttana')).toHaveLength(3)
  })
})

describe('the shipped lexicons on ordinary Italian', () => {
  // Words that contain, sound like or squeeze into a vulgar, obscene or hateful term.
  const ordinary = [
    'Il corso di cultura locale e la culla del nido comunale',
    'Le penne al pomodoro della mensa, anno scolastico nuovo',
    "Stanotte una bomba d'acqua ha allagato le cantine",
    "Il finocchio dell'orto comunale e le analisi del sangue",
    'Camminare a piedi nudi in spiaggia',
    'Sesso: maschile. Stato civile: celibe',
    'Il culmine della festa, la cazzuola del muratore, il calcolo della TARI',
    'Il cul de sac in fondo a via Dante, la fica secca del giardino',
    'Il giudice di pace e la troika europea',
    'Vorrei segnalare un ritardo del treno e una buca in via Roma 3',
  ]
  const severe = ['vulgar', 'blasphemy', 'insults', 'threats', 'obscene', 'obscene-minors', 'discrimination-slurs', 'discrimination-phrases']

  it('finds no severe term', async () => {
    const ruleset = await shippedRuleset()
    const lexicons = ruleset.content.lexicons.forLanguages(['it', 'fr'])
    for (const text of ordinary) {
      expect(lexicons.countMatches(normalizeText(text).tokens, severe), text).toBe(0)
    }
  })
})
