import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { buildCorpus, parseWritten, type WrittenMessage } from '../corpus/corpus-builder.js'

/**
 * `rules corpus-build`: rules/corpus/written/*.txt → rules/corpus/written.dev.jsonl and
 * written.test.jsonl. Deterministic: the same sources give the same files.
 */
export async function corpusBuildCommand(options: { rules: string; check?: boolean }): Promise<void> {
  const dir = join(options.rules, 'corpus', 'written')
  const messages: WrittenMessage[] = []
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.txt')).sort()) {
    messages.push(...parseWritten(await readFile(join(dir, file), 'utf8'), file))
  }
  const corpus = buildCorpus(messages)
  for (const split of ['dev', 'test'] as const) {
    const path = join(options.rules, 'corpus', `written.${split}.jsonl`)
    const text = corpus[split].map((e) => JSON.stringify(e)).join('\n') + '\n'
    if (options.check) {
      const current = await readFile(path, 'utf8').catch(() => '')
      if (current !== text) {
        console.log(`${path} is stale: run rules corpus-build`)
        process.exitCode = 1
      }
      continue
    }
    await writeFile(path, text)
    const clean = corpus[split].filter((e) => e.action === 'allow').length
    console.log(`${path}: ${corpus[split].length} messages (${clean} clean)`)
  }
}
