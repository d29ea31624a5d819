import { describe, expect, it } from 'vitest'
import { foldCase, normalizeText, squeeze } from './text-normalizer.js'

describe('normalizeText', () => {
  it('folds case, accents and compatibility forms', () => {
    expect(foldCase('PERCHÉ è Così')).toBe('perche e cosi')
    expect(normalizeText('ｃａｚｚｏ').words).toEqual(['cazzo'])
    expect(normalizeText('Città DI Forlì').text).toBe('citta di forli')
  })

  it('squeezes repeated letters in tokens but keeps words as written', () => {
    const n = normalizeText('Cazzzzzooooo VAFFANCULOOO')
    expect(n.words).toEqual(['cazzzzzooooo', 'vaffanculooo'])
    expect(n.tokens).toEqual(['cazo', 'vafanculo'])
    expect(squeeze('cazzo')).toBe(squeeze('cazzzzo'))
    expect(squeeze('roma')).toBe('roma')
  })

  it('decodes leetspeak inside words only', () => {
    expect(normalizeText('sei un m3rd4').words).toEqual(['sei', 'un', 'merda'])
    expect(normalizeText('c@zz0 5tr0nz0 $tupido 7r0ia 1diota').words).toEqual(['cazzo', 'stronzo', 'stupido', 'troia', 'idiota'])
    // Numbers on their own stay numbers.
    expect(normalizeText('via Roma 3, ore 15, 5 euro, 100%').words).toEqual(['via', 'roma', '3', 'ore', '15', '5', 'euro', '100'])
  })

  it('joins letters spaced out with blanks or punctuation', () => {
    for (const spaced of ['c.a.z.z.o', 'c a z z o', 'C-A-Z-Z-O', 'c_a_z_z_o', 'c . a . z . z . o']) {
      expect(normalizeText(`che ${spaced} dite`).words).toEqual(['che', 'cazzo', 'dite'])
    }
  })

  it('does not join ordinary single letters: pairs and elisions stay apart', () => {
    expect(normalizeText('io e a casa').words).toEqual(['io', 'e', 'a', 'casa'])
    expect(normalizeText("c'è l'avviso").words).toEqual(['c', 'e', 'l', 'avviso'])
  })

  it('keeps masking asterisks inside a word and drops them around it', () => {
    expect(normalizeText('che c*zzo, ciao* *bello').words).toEqual(['che', 'c*zzo', 'ciao', 'bello'])
  })

  it('writes out the SMS spellings of short words, one word for one', () => {
    expect(normalizeText('nn ci credo, xké cmq tt lo sanno x certo').words).toEqual(['non', 'ci', 'credo', 'perche', 'comunque', 'tutti', 'lo', 'sanno', 'per', 'certo'])
    expect(normalizeText('KE schifo, ki è stato?').text).toBe('che schifo chi e stato')
    expect(normalizeText('3 x 2 metri').words).toEqual(['3', 'per', '2', 'metri'])
  })

  it('gives nothing for text without letters or digits', () => {
    expect(normalizeText('?? !!! 👍').words).toEqual([])
  })
})
