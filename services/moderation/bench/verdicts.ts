/**
 * Verdicts per second on one core with the shipped rules and tenants: the labelled corpus cycled,
 * each message with a filler word and a word of its own (no two texts are the same), through the
 * whole decision: sender history, facts, engine, decision, history update. Publishing to JetStream
 * is not included.
 *
 *   pnpm --filter @banditore/moderation bench [-- --messages 200000 --senders 20000 --no-memo]
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { loadTenantDirectory } from '@banditore/platform'
import { parseCorpus, type CorpusEntry } from '../src/corpus/corpus-evaluator.js'
import { compileRuleset } from '../src/ruleset/compiled-ruleset.js'
import { readRulesetDirectory } from '../src/ruleset/ruleset-files.js'
import { InMemorySenderHistoryStore } from '../src/sender/sender-history-store.js'
import { ProfileDirectory } from '../src/tenant/moderation-profile.js'
import { normalizeText } from '../src/text/text-normalizer.js'
import { isViolation } from '../src/verdict/verdict-decision.js'

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url))
const { values } = parseArgs({
  // pnpm passes a literal `--` through to the script.
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    messages: { type: 'string', default: '200000' },
    senders: { type: 'string', default: '20000' },
    'no-memo': { type: 'boolean', default: false },
    rules: { type: 'string', default: root('rules') },
    tenants: { type: 'string', default: root('tenants') },
  },
})
const total = Number(values.messages)
const senderCount = Number(values.senders)
const memo = !values['no-memo']

const profiles = ProfileDirectory.fromTenants((await loadTenantDirectory(values.tenants)).all())
const ruleset = await compileRuleset(await readRulesetDirectory(values.rules), profiles, { memo })
const corpusDir = join(values.rules, 'corpus')
const entries: CorpusEntry[] = []
for (const file of (await readdir(corpusDir)).filter((f) => f.endsWith('.jsonl'))) {
  entries.push(...parseCorpus(await readFile(join(corpusDir, file), 'utf8'), file).entries)
}
/**
 * A word of letters unique to message i: texts differ, and no digit is added where the corpus
 * message has none (digits send a message through the personal-data detectors).
 */
const tag = (i: number) => `x${i.toString(26).replace(/[0-9]/g, (d) => 'qrstuvwxyz'[Number(d)] as string)}`
const fillers = ['grazie', 'buongiorno', 'saluti', 'cordialmente', 'ok', 'per favore', 'urgente', 'ciao', 'buonasera', 'attendo']

async function run(count: number): Promise<{ seconds: number; cpuSeconds: number; actions: Map<string, number> }> {
  const senders = new InMemorySenderHistoryStore()
  const actions = new Map<string, number>()
  const start = process.hrtime.bigint()
  const cpuStart = process.cpuUsage()
  let at = Date.parse('2026-03-11T09:00:00Z')
  for (let i = 0; i < count; i++) {
    const entry = entries[i % entries.length] as CorpusEntry
    const text = `${entry.text} ${fillers[i % fillers.length]} ${tag(i)}`
    // Every sender writes again every senderCount messages: with the defaults, 10 messages each
    // in the 23 minutes the run spans (a busy day's worth), so histories are never empty.
    const from = `+39333${String(i % senderCount).padStart(7, '0')}`
    at += 7
    const history = await senders.historyOf(entry.tenant, from, at)
    const input = { text, channel: 'whatsapp', messageType: 'text', hasMedia: false, at }
    const decision = await ruleset.moderate(entry.tenant, input, history)
    await senders.record(entry.tenant, from, { messageId: `m${i}`, at, text: normalizeText(text).text, violation: isViolation(decision.action) })
    actions.set(decision.action, (actions.get(decision.action) ?? 0) + 1)
  }
  const cpu = process.cpuUsage(cpuStart)
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, cpuSeconds: (cpu.user + cpu.system) / 1e6, actions }
}

await run(Math.min(20_000, total)) // warm-up: JIT, lexicon sets, engines
const { seconds, cpuSeconds, actions } = await run(total)
const print = (line: string) => process.stdout.write(`${line}\n`)
print(`ruleset ${ruleset.version}: ${ruleset.content.rules.length} rules, ${entries.length} corpus messages cycled, ${senderCount} senders, memo ${memo ? 'on' : 'off'}`)
print(`${total} verdicts in ${seconds.toFixed(2)} s: ${Math.round(total / seconds).toLocaleString('en-US')} verdicts/s on one core`)
// On a busy machine the wall clock includes time other processes took; CPU time does not (it
// includes the garbage collector's helper threads, so it never flatters the figure).
print(`process CPU time ${cpuSeconds.toFixed(2)} s: ${Math.round(total / cpuSeconds).toLocaleString('en-US')} verdicts per CPU-second`)
print(`json-rules-engine ran ${ruleset.engineRuns().toLocaleString('en-US')} times in all (warm-up included); the memo answered the rest`)
print(`actions: ${[...actions].map(([a, n]) => `${a} ${n}`).join(', ')}`)
