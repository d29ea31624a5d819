import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { MODERATION_CATEGORIES, type ModerationCategory } from '@banditore/contracts'

/**
 * A small statistical text classifier, used by rules as facts (`classifier.threats-violence`):
 * one logistic regression per category over the message's stems, stem pairs and the character
 * 4-grams of its words (which see through misspellings). Trained by `rules classifier-train` from
 * the dev split only and shipped as a versioned JSON file in services/moderation/models/: no
 * download at run time, no dependency. Thresholds stay in the rule files, where editors see them.
 */

export interface ClassifierModel {
  readonly format: 'banditore-logreg/1'
  /** Content hash of features and weights. */
  readonly version: string
  readonly trainedOn: { readonly files: readonly string[]; readonly messages: number; readonly sha256: string }
  readonly categories: readonly ModerationCategory[]
  readonly features: readonly string[]
  /** Per category: the bias, then one weight per feature (rounded to 4 decimals). */
  readonly weights: Readonly<Record<string, readonly number[]>>
}

/** The features of a message: stems, adjacent stem pairs, and character 4-grams of each word. */
export function featuresOf(words: readonly string[], stems: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < stems.length; i++) {
    const s = stems[i] as string
    out.push(`w:${s}`)
    if (i > 0) out.push(`b:${stems[i - 1] as string}_${s}`)
  }
  for (const w of words) {
    if (w.length < 3) continue
    const padded = `<${w}>`
    for (let j = 0; j + 4 <= padded.length; j++) out.push(`c:${padded.slice(j, j + 4)}`)
  }
  return out
}

export type ClassifierScores = Readonly<Record<ModerationCategory, number>>

const ZERO: ClassifierScores = Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, 0])) as ClassifierScores

/** The model compiled for scoring: a feature → index map and one Float64Array per category. */
export class TextClassifier {
  private readonly index = new Map<string, number>()
  private readonly rows: { category: ModerationCategory; bias: number; weights: Float64Array }[] = []

  constructor(readonly model: ClassifierModel) {
    model.features.forEach((f, i) => this.index.set(f, i))
    for (const category of model.categories) {
      const w = model.weights[category] as readonly number[]
      this.rows.push({ category, bias: w[0] as number, weights: Float64Array.from(w.slice(1)) })
    }
  }

  get version(): string {
    return this.model.version
  }

  /** The probability of each category, 0 to 1 (0 for a category the model does not know). */
  score(words: readonly string[], stems: readonly string[]): ClassifierScores {
    return this.scoreFeatures(this.featureIndices(words, stems))
  }

  /** The model's features present in a message, by index. */
  featureIndices(words: readonly string[], stems: readonly string[]): ReadonlySet<number> {
    const present = new Set<number>()
    for (const f of featuresOf(words, stems)) {
      const i = this.index.get(f)
      if (i !== undefined) present.add(i)
    }
    return present
  }

  /** The scores of a message from its features' indices (featureIndices). */
  scoreFeatures(present: ReadonlySet<number>): ClassifierScores {
    const scores: Record<string, number> = { ...ZERO }
    for (const row of this.rows) {
      let z = row.bias
      for (const i of present) z += row.weights[i] as number
      scores[row.category] = Math.round((1 / (1 + Math.exp(-z))) * 1000) / 1000
    }
    return scores as ClassifierScores
  }

  /** Of the features present (featureIndices), those that pushed a category up the most, without their kind prefix. */
  topFeaturesOf(present: ReadonlySet<number>, category: ModerationCategory, count = 4): string[] {
    const row = this.rows.find((r) => r.category === category)
    if (!row) return []
    const top: { i: number; w: number }[] = []
    for (const i of present) {
      const w = row.weights[i] as number
      if (w > 0) top.push({ i, w })
    }
    return top
      .sort((a, b) => b.w - a.w)
      .slice(0, count)
      .map(({ i }) => (this.model.features[i] as string).slice(2))
  }
}

export const SHIPPED_MODEL_PATH = fileURLToPath(new URL('../../models/text-classifier.json', import.meta.url))

let shipped: TextClassifier | null | undefined

/** The model shipped with the service, read once; null when the file is absent (scores are 0). */
export function shippedClassifier(): TextClassifier | null {
  if (shipped === undefined) {
    try {
      shipped = new TextClassifier(JSON.parse(readFileSync(SHIPPED_MODEL_PATH, 'utf8')) as ClassifierModel)
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw cause
      shipped = null
    }
  }
  return shipped
}

/** Scores with the shipped model (all 0 without one), and the indices of the features present (for explanations). */
export function classifyWithFeatures(words: readonly string[], stems: readonly string[]): { scores: ClassifierScores; present: ReadonlySet<number> } {
  const classifier = shippedClassifier()
  if (!classifier) return { scores: ZERO, present: new Set() }
  const present = classifier.featureIndices(words, stems)
  return { scores: classifier.scoreFeatures(present), present }
}
