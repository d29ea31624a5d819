import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { trainClassifier, type TrainingExample } from '../classifier/classifier-training.js'
import { SHIPPED_MODEL_PATH } from '../classifier/text-classifier.js'
import { baseTextOf, splitOfFile } from '../corpus/corpus-builder.js'
import { parseCorpus } from '../corpus/corpus-evaluator.js'
import { crossValidate } from './classifier-cv.js'
import { formatIssue } from '../ruleset/ruleset-error.js'

/**
 * `rules classifier-train`: trains the text classifier on the dev split of rules/corpus (never on
 * *.test.jsonl) and writes services/moderation/models/text-classifier.json. Deterministic.
 */
export async function classifierTrainCommand(options: { rules: string; out?: string; cv?: boolean }): Promise<void> {
  const dir = join(options.rules, 'corpus')
  const files = (await readdir(dir)).filter((f) => f.endsWith('.jsonl') && splitOfFile(f) === 'dev').sort()
  const examples: TrainingExample[] = []
  for (const file of files) {
    const { entries, issues } = parseCorpus(await readFile(join(dir, file), 'utf8'), file)
    for (const issue of issues) console.log(formatIssue(issue))
    if (issues.length > 0) process.exitCode = 1
    // Messages whose label depends on the sender's history teach the text nothing.
    for (const e of entries) if (!e.sender) examples.push({ text: e.text, categories: e.categories, group: baseTextOf(e) })
  }
  if (options.cv) {
    crossValidate(examples)
    return
  }
  const model = trainClassifier(examples, files)
  const out = options.out ?? SHIPPED_MODEL_PATH
  await writeFile(out, `${JSON.stringify(model)}\n`)
  console.log(`${out}: ${model.version}, ${model.features.length} features, ${model.categories.length} categories, trained on ${examples.length} dev messages from ${files.join(', ')}`)
}
