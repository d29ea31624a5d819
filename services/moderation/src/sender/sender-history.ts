/**
 * What moderation knows of a sender before deciding on their new message: their recent messages
 * (for rates and duplicates) and how many earlier messages were violations. The service supplies
 * it from its own store (sender-history-store.ts); the CLI and the rule cases build it by hand.
 */

export interface RecentMessage {
  /** When it was sent, epoch milliseconds. */
  readonly at: number
  /** Its normalized text (NormalizedText.text). */
  readonly text: string
}

export interface SenderHistory {
  /** The sender's messages of the last 24 hours before this one, in any order. */
  readonly recentMessages: readonly RecentMessage[]
  /** Earlier messages whose verdict was delete, block or report. */
  readonly pastViolations: number
}

export const NO_HISTORY: SenderHistory = { recentMessages: [], pastViolations: 0 }

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
/** Near-duplicates: texts of at least this many words sharing this share of distinct words. */
const NEAR_DUPLICATE_MIN_WORDS = 4
const NEAR_DUPLICATE_SIMILARITY = 0.8

export interface SenderActivity {
  readonly senderMessagesLastMinute: number
  readonly senderMessagesLastHour: number
  readonly senderPastViolations: number
  readonly duplicateCount: number
}

function wordCountOf(text: string): number {
  let count = 1
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 32) count++
  return count
}

function similarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0
  for (const word of a) if (b.has(word)) shared++
  return shared / (a.size + b.size - shared)
}

/** The sender facts of a message with normalized text `text`, sent at `at`. */
export function senderActivity(history: SenderHistory, text: string, at: number): SenderActivity {
  let lastMinute = 0
  let lastHour = 0
  let duplicates = 0
  let words: Set<string> | undefined
  for (const earlier of history.recentMessages) {
    const age = at - earlier.at
    if (age < 0 || age > DAY) continue
    if (age <= MINUTE) lastMinute++
    if (age <= HOUR) lastHour++
    if (text === '') continue
    if (earlier.text === text) {
      duplicates++
      continue
    }
    words ??= new Set(text.split(' '))
    if (words.size < NEAR_DUPLICATE_MIN_WORDS) continue
    // A text with fewer words than 80% of this one's distinct words cannot share 80% of them.
    if (wordCountOf(earlier.text) < words.size * NEAR_DUPLICATE_SIMILARITY) continue
    const other = new Set(earlier.text.split(' '))
    if (other.size >= NEAR_DUPLICATE_MIN_WORDS && similarity(words, other) >= NEAR_DUPLICATE_SIMILARITY) duplicates++
  }
  return {
    senderMessagesLastMinute: lastMinute,
    senderMessagesLastHour: lastHour,
    senderPastViolations: history.pastViolations,
    duplicateCount: duplicates,
  }
}
