import type { ModerationInput } from '../facts/message-facts.js'
import type { RuleCase } from '../ruleset/ruleset-parser.js'
import type { RecentMessage, SenderHistory } from '../sender/sender-history.js'
import { normalizeText } from '../text/text-normalizer.js'

/** When a case does not say: a Wednesday at 10:00 in Rome, inside every office's hours. */
export const DEFAULT_CASE_TIME = '2026-03-11T09:00:00.000Z'

/** The message a rule case (or a corpus line, which has the same shape) describes. */
export function inputOfCase(testCase: RuleCase, direction: 'inbound' | 'outbound'): ModerationInput {
  return {
    text: testCase.text,
    channel: direction === 'outbound' ? 'broadcast' : (testCase.channel ?? 'whatsapp'),
    messageType: testCase.messageType ?? 'text',
    hasMedia: testCase.hasMedia ?? false,
    at: Date.parse(testCase.sentAt ?? DEFAULT_CASE_TIME),
  }
}

/** The sender's history a case describes: explicit recent messages and a flood of distinct ones. */
export function historyOfCase(testCase: RuleCase, at: number): SenderHistory {
  const recentMessages: RecentMessage[] = (testCase.sender?.recent ?? []).map((m) => ({
    at: at - m.secondsAgo * 1000,
    text: normalizeText(m.text).text,
  }))
  const flood = testCase.sender?.flood
  if (flood) {
    const step = (flood.withinSeconds * 1000) / (flood.count + 1)
    for (let i = 0; i < flood.count; i++) {
      recentMessages.push({ at: Math.round(at - (i + 1) * step), text: `messaggio numero ${i + 1}` })
    }
  }
  return { recentMessages, pastViolations: testCase.sender?.pastViolations ?? 0 }
}
