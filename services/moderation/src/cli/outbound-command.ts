import { checkBroadcastDraft } from '../outbound/outbound-check.js'
import { forEachInputLine, loadRuleset, type SourceOptions } from './cli-context.js'

/** `rules outbound --tenant T`: each input line a draft `{"it": "...", "fr": "..."}`; one result per line. */
export async function outboundCommand(options: SourceOptions & { tenant: string }): Promise<void> {
  const loaded = await loadRuleset(options)
  if (!loaded) return
  await forEachInputLine(async (value, line) => {
    const isTexts =
      typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string')
    if (!isTexts) {
      console.error(`line ${line}: expected an object of texts by language, e.g. {"it": "..."}`)
      process.exitCode = 1
      return
    }
    const result = await checkBroadcastDraft(loaded.ruleset, options.tenant, value as Record<string, string>, Date.now())
    console.log(JSON.stringify(result))
  })
}
