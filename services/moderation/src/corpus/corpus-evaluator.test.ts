import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RULES_DIR, shippedRuleset } from '../testing/shipped-ruleset.js'
import { splitOfFile } from './corpus-builder.js'
import { evaluateCorpus, parseCorpus, type CorpusEntry } from './corpus-evaluator.js'

const ruleset = await shippedRuleset()

describe('parseCorpus', () => {
  it('names the line and field of a bad entry', () => {
    const text = ['{"tenant":"ancona","text":"ciao","action":"allow","categories":[]}', '', '{"tenant":"ancona","text":"x","action":"erase","categories":[]}', 'nope'].join('\n')
    const { entries, issues } = parseCorpus(text, 'it.jsonl')
    expect(entries).toHaveLength(1)
    expect(issues).toContainEqual({ file: 'it.jsonl', path: '/line/3/action', reason: expect.stringMatching(/must be one of/) })
    expect(issues).toContainEqual({ file: 'it.jsonl', path: '/line/4', reason: expect.stringMatching(/not valid JSON/) })
  })
})

describe('evaluateCorpus', () => {
  it('counts true and false positives and negatives per category', async () => {
    const entries: CorpusEntry[] = [
      { tenant: 'ancona', text: 'vaffanculo', action: 'delete', categories: ['offensive-language'] },
      { tenant: 'ancona', text: 'buongiorno', action: 'delete', categories: ['offensive-language'] },
      { tenant: 'ancona', text: 'Votate la nostra lista', action: 'allow', categories: [] },
      { tenant: 'ancona', text: 'quando apre la biblioteca?', action: 'allow', categories: [] },
    ]
    const report = await evaluateCorpus(ruleset, entries)
    expect(report.perCategory.get('offensive-language')).toEqual({ truePositives: 1, falsePositives: 0, falseNegatives: 1, precision: 1, recall: 0.5 })
    expect(report.perCategory.get('political-propaganda')).toMatchObject({ truePositives: 0, falsePositives: 1, falseNegatives: 0, precision: 0, recall: null })
    expect(report.violation).toMatchObject({ truePositives: 1, falsePositives: 1, falseNegatives: 1 })
    expect(report.actionAccuracy).toBe(0.5)
    expect(report.mistakes.map((m) => m.entry.text)).toEqual(['buongiorno', 'Votate la nostra lista'])
  })

  it('keeps the shipped rules above the quality floor on the labelled corpus', async () => {
    const entries: CorpusEntry[] = []
    // The dev split: what rules and the classifier are tuned on (the test split has its own floor below).
    for (const file of (await readdir(join(RULES_DIR, 'corpus'))).filter((f) => f.endsWith('.jsonl') && splitOfFile(f) === 'dev')) {
      const parsed = parseCorpus(await readFile(join(RULES_DIR, 'corpus', file), 'utf8'), file)
      expect(parsed.issues).toEqual([])
      entries.push(...parsed.entries)
    }
    expect(entries.length).toBeGreaterThanOrEqual(300)
    const report = await evaluateCorpus(ruleset, entries)
    // A floor, not the figures: rules may get better, not worse than this without a decision.
    // Raised when stems, phrase patterns with slots, reported speech and typo reading went into
    // the lexicons and rules: measured 96.6 % / 94.9 %, violation precision 99.2 %.
    expect(report.overall.precision).toBeGreaterThanOrEqual(0.96)
    expect(report.overall.recall).toBeGreaterThanOrEqual(0.94)
    expect(report.violation.precision).toBeGreaterThanOrEqual(0.99)
    expect(report.clean).toBeGreaterThanOrEqual(150)
  }, 60_000)
  it('keeps the held-out test split above its floor (figures in the README), and the built corpus up to date', async () => {
    const entries: CorpusEntry[] = []
    for (const file of (await readdir(join(RULES_DIR, 'corpus'))).filter((f) => splitOfFile(f) === 'test' && f.endsWith('.jsonl'))) {
      entries.push(...parseCorpus(await readFile(join(RULES_DIR, 'corpus', file), 'utf8'), file).entries)
    }
    expect(entries.length).toBeGreaterThanOrEqual(400)
    const report = await evaluateCorpus(ruleset, entries)
    // Measured 87.9 % / 69.9 % with the shipped rules (README table).
    expect(report.overall.precision).toBeGreaterThanOrEqual(0.87)
    expect(report.overall.recall).toBeGreaterThanOrEqual(0.69)
  }, 60_000)
})
