import { MODERATION_CATEGORIES } from '@banditore/contracts'
import { textHash } from '../corpus/corpus-builder.js'
import { trainClassifier, textFeatures, type TrainingExample } from './../classifier/classifier-training.js'
import { TextClassifier } from '../classifier/text-classifier.js'
import { normalizeText } from '../text/text-normalizer.js'
import { stemForm } from '../lexicon/lexicon-matcher.js'

/**
 * k-fold cross-validation on the dev split: out-of-fold scores, so thresholds are chosen on
 * messages the model did not see (the test split stays untouched).
 */
export function crossValidate(examples: readonly TrainingExample[], folds = 5): void {
  const scored: { categories: readonly string[]; scores: Record<string, number> }[] = []
  for (let k = 0; k < folds; k++) {
    const train = examples.filter((e) => textHash(e.group ?? e.text) % folds !== k)
    const held = examples.filter((e) => textHash(e.group ?? e.text) % folds === k)
    const model = new TextClassifier(trainClassifier(train, []))
    for (const e of held) {
      const { words } = normalizeText(e.text)
      scored.push({ categories: e.categories, scores: model.score(words, words.map(stemForm)) as Record<string, number> })
    }
  }
  void textFeatures
  for (const category of MODERATION_CATEGORIES) {
    const cells = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8].map((t) => {
      let tp = 0
      let fp = 0
      let fn = 0
      for (const s of scored) {
        const got = (s.scores[category] ?? 0) >= t
        const want = s.categories.includes(category)
        if (got && want) tp++
        else if (got) fp++
        else if (want) fn++
      }
      const p = tp + fp === 0 ? 1 : tp / (tp + fp)
      const r = tp + fn === 0 ? 1 : tp / (tp + fn)
      return `${t}: P${(p * 100).toFixed(0)} R${(r * 100).toFixed(0)}`
    })
    console.log(`${category.padEnd(22)} ${cells.join('  ')}`)
  }
}
