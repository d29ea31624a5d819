import { createHash } from 'node:crypto'
import { MODERATION_CATEGORIES, type ModerationCategory } from '@banditore/contracts'
import { stemForm } from '../lexicon/lexicon-matcher.js'
import { normalizeText } from '../text/text-normalizer.js'
import { featuresOf, type ClassifierModel } from './text-classifier.js'

export interface TrainingExample {
  readonly text: string
  readonly categories: readonly string[]
  /** The message this one is a variant of (cross-validation keeps them in one fold). */
  readonly group?: string
}

export interface TrainingOptions {
  /** A feature must occur in at least this many messages. */
  readonly minCount?: number
  readonly epochs?: number
  readonly learningRate?: number
  /** L2 penalty. */
  readonly l2?: number
}

/** Features of a text the way the service computes them. */
export function textFeatures(text: string): string[] {
  const { words } = normalizeText(text)
  return featuresOf(words, words.map(stemForm))
}

/**
 * Trains one logistic regression per category (one versus the rest) by full-batch gradient
 * descent with L2, deterministic: the same examples give the same model.
 */
export function trainClassifier(examples: readonly TrainingExample[], files: readonly string[], options: TrainingOptions = {}): ClassifierModel {
  const minCount = options.minCount ?? 2
  const epochs = options.epochs ?? 300
  const rate = options.learningRate ?? 0.5
  const l2 = options.l2 ?? 1e-3
  const docs = examples.map((e) => [...new Set(textFeatures(e.text))])
  const df = new Map<string, number>()
  for (const d of docs) for (const f of d) df.set(f, (df.get(f) ?? 0) + 1)
  const features = [...df].filter(([, n]) => n >= minCount).map(([f]) => f).sort()
  const index = new Map(features.map((f, i) => [f, i]))
  const rows = docs.map((d) => Int32Array.from(d.flatMap((f) => (index.has(f) ? [index.get(f) as number] : []))))
  const n = examples.length
  const weights: Record<string, number[]> = {}
  for (const category of MODERATION_CATEGORIES) {
    const y = examples.map((e) => (e.categories.includes(category) ? 1 : 0))
    const positives = y.reduce<number>((a, b) => a + b, 0)
    if (positives === 0) continue
    // Positives weigh as much as negatives overall: most categories are rare.
    const wPos = n / (2 * positives)
    const wNeg = n / (2 * (n - positives))
    const w = new Float64Array(features.length)
    let bias = 0
    const grad = new Float64Array(features.length)
    for (let epoch = 0; epoch < epochs; epoch++) {
      grad.fill(0)
      let gBias = 0
      for (let i = 0; i < n; i++) {
        const row = rows[i] as Int32Array
        let z = bias
        for (let k = 0; k < row.length; k++) z += w[row[k] as number] as number
        const p = 1 / (1 + Math.exp(-z))
        const label = y[i] as number
        const g = (p - label) * (label === 1 ? wPos : wNeg)
        gBias += g
        for (let k = 0; k < row.length; k++) grad[row[k] as number] = (grad[row[k] as number] as number) + g
      }
      bias -= (rate * gBias) / n
      for (let j = 0; j < w.length; j++) w[j] = (w[j] as number) - rate * ((grad[j] as number) / n + l2 * (w[j] as number))
    }
    weights[category] = [bias, ...w].map((v) => Math.round(v * 10_000) / 10_000)
  }
  const categories = Object.keys(weights) as ModerationCategory[]
  const sha = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16)
  return {
    format: 'banditore-logreg/1',
    version: `sha256:${sha({ features, weights })}`,
    trainedOn: { files: [...files], messages: n, sha256: sha(examples.map((e) => [e.text, [...e.categories].sort()])) },
    categories,
    features,
    weights,
  }
}
