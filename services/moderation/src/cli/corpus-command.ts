import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MODERATION_CATEGORIES } from '@banditore/contracts'
import { splitOfFile } from '../corpus/corpus-builder.js'
import { evaluateCorpus, parseCorpus, type CorpusEntry, type Score } from '../corpus/corpus-evaluator.js'
import { formatIssue } from '../ruleset/ruleset-error.js'
import { loadRuleset, type SourceOptions } from './cli-context.js'

const percent = (value: number | null) => (value === null ? '   n/a' : `${(value * 100).toFixed(1).padStart(5)}%`)
const row = (label: string, s: Score) =>
  `${label.padEnd(22)} ${percent(s.precision)}  ${percent(s.recall)}   ${String(s.truePositives).padStart(4)} ${String(s.falsePositives).padStart(4)} ${String(s.falseNegatives).padStart(4)}`

/** `rules corpus`: precision and recall per category over the labelled corpus. */
export async function corpusCommand(options: SourceOptions & { file?: string[]; mistakes?: boolean; split?: 'dev' | 'test' | 'all' }): Promise<void> {
  const loaded = await loadRuleset(options)
  if (!loaded) return
  const dir = join(options.rules, 'corpus')
  const split = options.split ?? 'all'
  const files = options.file?.length
    ? options.file
    : (await readdir(dir)).filter((f) => f.endsWith('.jsonl') && (split === 'all' || splitOfFile(f) === split)).map((f) => join(dir, f))
  const entries: CorpusEntry[] = []
  for (const file of files.sort()) {
    const { entries: parsed, issues } = parseCorpus(await readFile(file, 'utf8'), file)
    for (const issue of issues) console.log(formatIssue(issue))
    if (issues.length > 0) process.exitCode = 1
    entries.push(...parsed)
  }
  const report = await evaluateCorpus(loaded.ruleset, entries)
  console.log(`corpus (${options.file?.length ? 'files' : `split ${split}`}): ${report.entries} messages (${report.clean} clean) from ${files.length} file(s), ruleset ${loaded.ruleset.version}`)
  console.log(`${'category'.padEnd(22)} precision  recall    TP  FP  FN`)
  for (const category of MODERATION_CATEGORIES) console.log(row(category, report.perCategory.get(category) as Score))
  console.log(row('overall (micro)', report.overall))
  console.log(row('violation yes/no', report.violation))
  console.log(`action exactly right: ${percent(report.actionAccuracy)}`)
  if (options.mistakes) {
    for (const m of report.mistakes) {
      console.log(
        `- [${m.entry.tenant}] ${JSON.stringify(m.entry.text)}: expected ${m.entry.action} ${JSON.stringify(m.entry.categories)}, got ${m.action} ${JSON.stringify(m.categories)} (${m.rules.join(', ') || 'no rule'})`,
      )
    }
  }
}
