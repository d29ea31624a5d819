import type { ModerationCategory, OutboundFinding } from '@banditore/contracts'
import type { CompiledRuleset } from '../ruleset/compiled-ruleset.js'
import { NO_HISTORY } from '../sender/sender-history.js'

/** What the outbound policy finds in a broadcast draft. */
export interface OutboundCheckResult {
  readonly flagged: boolean
  readonly categories: readonly ModerationCategory[]
  /** One entry per language with findings. */
  readonly findings: readonly OutboundFinding[]
  readonly rulesetVersion: string
}

/**
 * Checks a broadcast draft, one text per language, against the outbound rules (by default
 * Magenta's policy for every tenant: no electoral propaganda, political or advertising content).
 * Each text is matched with the lexicons of the tenant's languages and of its own language.
 */
export async function checkBroadcastDraft(
  ruleset: CompiledRuleset,
  tenant: string,
  texts: Readonly<Record<string, string>>,
  at: number,
): Promise<OutboundCheckResult> {
  const profile = ruleset.profiles.get(tenant)
  const findings: OutboundFinding[] = []
  for (const language of Object.keys(texts).sort()) {
    const text = texts[language] as string
    const languages = [...new Set([...profile.languages, language])]
    const input = { text, channel: 'broadcast', messageType: 'text', hasMedia: false, at }
    const fired = await ruleset.firedRules(profile, 'outbound', input, NO_HISTORY, languages)
    if (fired.length === 0) continue
    const categories = [...new Set(fired.flatMap((r) => (r.category ? [r.category] : [])))].sort()
    findings.push({ language, categories, rules: fired.map((r) => r.name).sort() })
  }
  const categories = [...new Set(findings.flatMap((f) => f.categories))].sort()
  return { flagged: categories.length > 0, categories, findings, rulesetVersion: ruleset.version }
}
