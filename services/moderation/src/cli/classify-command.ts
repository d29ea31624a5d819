import { ChannelSchema } from '@banditore/contracts'
import Type from 'typebox'
import { Compile } from 'typebox/compile'
import { isViolation } from '../verdict/verdict-decision.js'
import { InMemorySenderHistoryStore } from '../sender/sender-history-store.js'
import { normalizeText } from '../text/text-normalizer.js'
import { forEachInputLine, loadRuleset, type SourceOptions } from './cli-context.js'

/** One message to classify: what a policy editor types or exports from the desk. */
const ClassifyLineSchema = Type.Object({
  text: Type.String(),
  from: Type.Optional(Type.String()),
  id: Type.Optional(Type.String()),
  channel: Type.Optional(ChannelSchema),
  sentAt: Type.Optional(Type.String({ format: 'date-time' })),
})
const classifyLine = Compile(ClassifyLineSchema)

/**
 * `rules classify --tenant T`: one verdict per input line. Lines from the same `from` share a
 * sender history, as in the service, so floods, duplicates and repeat offences show up.
 */
export async function classifyCommand(options: SourceOptions & { tenant: string }): Promise<void> {
  const loaded = await loadRuleset(options)
  if (!loaded) return
  const { ruleset } = loaded
  const senders = new InMemorySenderHistoryStore()
  await forEachInputLine(async (value, line) => {
    if (!classifyLine.Check(value)) {
      const first = [...classifyLine.Errors(value)][0]
      console.error(`line ${line}: ${first?.instancePath || '/'} ${first?.message ?? 'is invalid'}`)
      process.exitCode = 1
      return
    }
    const at = value.sentAt ? Date.parse(value.sentAt) : Date.now()
    const from = value.from ?? 'anonymous'
    const history = await senders.historyOf(options.tenant, from, at)
    const input = { text: value.text, channel: value.channel ?? 'whatsapp', messageType: 'text', hasMedia: false, at }
    const decision = await ruleset.moderate(options.tenant, input, history)
    await senders.record(options.tenant, from, {
      messageId: value.id ?? `line-${line}`,
      at,
      text: normalizeText(value.text).text,
      violation: isViolation(decision.action),
    })
    const { action, categories, rules, rulesetVersion, explanations } = decision
    console.log(
      JSON.stringify({ ...(value.id ? { id: value.id } : {}), action, categories, rules, ...(explanations?.length ? { explanations } : {}), rulesetVersion }),
    )
  })
}
