import { MODERATION_CATEGORIES, type ModerationAction, type ModerationCategory } from '@banditore/contracts'
import { foldCase } from '../text/text-normalizer.js'
import { ACTION_SEVERITY } from '../verdict/verdict-decision.js'
import type { CorpusEntry } from './corpus-evaluator.js'

/**
 * Builds the labelled corpus from the hand-written sources in rules/corpus/written/*.txt (see the
 * README there): every message gets a tenant, the action the tenant's policy gives, and one
 * systematic variant of the ways people write (no accents, capitals, SMS spelling, emoji, a typo,
 * a regional interjection). Message and variant go to the same split, decided by a hash of the
 * message: a variant of a dev message must not leak into test.
 */

export type Split = 'dev' | 'test'

export interface WrittenMessage {
  readonly text: string
  readonly categories: readonly ModerationCategory[]
  readonly action?: ModerationAction
  readonly file: string
  readonly line: number
}

const TENANTS = ['ancona', 'calcinato', 'corbetta', 'gressan', 'magenta'] as const

/** FNV-1a over the folded text: stable across platforms and runs. */
export function textHash(text: string): number {
  let hash = 0x811c9dc5
  const folded = foldCase(text).trim()
  for (let i = 0; i < folded.length; i++) {
    hash ^= folded.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash
}

/** 30 % of messages (by hash) are held out for the test split. */
export function splitOf(text: string): Split {
  return textHash(text) % 10 < 7 ? 'dev' : 'test'
}

/** Parses one source file; throws on an unknown category, naming file and line. */
export function parseWritten(source: string, file: string): WrittenMessage[] {
  const messages: WrittenMessage[] = []
  let fileCategories: ModerationCategory[] | undefined
  source.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (line === '') return
    const header = /^#\s*categories:\s*(.*)$/.exec(line)
    if (header) {
      const names = (header[1] as string).trim()
      fileCategories = names === 'none' ? [] : names.split(',').map((c) => category(c.trim(), file, index + 1))
      return
    }
    if (line.startsWith('#')) return
    const tagged = /^\[([^\]]*)\]\s*(.+)$/.exec(line)
    let categories = fileCategories
    let action: ModerationAction | undefined
    let text = line
    if (tagged) {
      const [names, explicit] = (tagged[1] as string).split('!')
      categories = (names as string).trim() === '' ? [] : (names as string).split(',').map((c) => category(c.trim(), file, index + 1))
      if (explicit) action = explicit.trim() as ModerationAction
      text = tagged[2] as string
    }
    if (!categories) throw new Error(`${file}:${index + 1}: no "# categories:" header before the first message`)
    messages.push({ text, categories: [...categories].sort(), ...(action ? { action } : {}), file, line: index + 1 })
  })
  return messages
}

function category(name: string, file: string, line: number): ModerationCategory {
  if (!(MODERATION_CATEGORIES as readonly string[]).includes(name)) throw new Error(`${file}:${line}: unknown category "${name}"`)
  return name as ModerationCategory
}

/** The action the shipped policy gives a category in a tenant (the rules' own overrides). */
export function policyAction(tenant: string, category: ModerationCategory): ModerationAction {
  if (category === 'threats-violence') return 'report'
  if (tenant === 'calcinato' && (category === 'offensive-language' || category === 'defamation')) return 'block'
  if (tenant === 'corbetta' && category === 'obscene-content') return 'block'
  if (category === 'off-topic-link') return tenant === 'ancona' || tenant === 'gressan' ? 'delete' : 'review'
  return 'delete'
}

function actionOf(tenant: string, message: WrittenMessage): ModerationAction {
  let action: ModerationAction = 'allow'
  for (const c of message.categories) {
    const a = policyAction(tenant, c)
    if (ACTION_SEVERITY[a] > ACTION_SEVERITY[action]) action = a
  }
  if (message.action && ACTION_SEVERITY[message.action] > ACTION_SEVERITY[action]) action = message.action
  return action
}

// ---- Systematic variation -------------------------------------------------------------------

const SMS: readonly [RegExp, string][] = [
  [/\bperch[eé]\b/gi, 'xké'],
  [/\bche\b/gi, 'ke'],
  [/\bnon\b/gi, 'nn'],
  [/\bper\b/gi, 'x'],
  [/\bcomunque\b/gi, 'cmq'],
  [/\bqualcosa\b/gi, 'qlcs'],
  [/\btutti\b/gi, 'tt'],
  [/\bquesto\b/gi, 'qsto'],
  [/\bmessaggio\b/gi, 'msg'],
  [/\bsei\b/gi, '6'],
  [/\bchi\b/gi, 'ki'],
]
const EMOJI: Partial<Record<ModerationCategory | 'none', readonly string[]>> = {
  none: ['🙏', '😊', '👍', '😅', '🤔', '😡'],
  'offensive-language': ['🤬', '🖕', '😡', '🤮'],
  'threats-violence': ['🔪', '👊', '💣', '🔥'],
  'obscene-content': ['😏', '🍆', '💦', '😈'],
  'commercial-promotion': ['💰', '🔥', '🛍️', '✨'],
  'political-propaganda': ['🇮🇹', '✊', '🗳️'],
  spam: ['🎁', '🎉', '‼️'],
  alarmism: ['⚠️', '‼️', '😱'],
  fundraising: ['🙏', '❤️'],
}
const OPENINGS = ['Oh ', 'Ué, ', 'Ahò, ', 'Allora, ', 'Senti, ', 'Ma scusate, ', 'Eh niente, ', 'Belin, ', 'Mbè, ']
const CLOSINGS = [' neh', ' eh', ', ciò', ' ciao', ', punto', '!!', ' ...', ' ragà', ' mah']

const hasLinkOrData = (text: string) => /https?:|www\.|@|\d/.test(text)

function typo(text: string, seed: number): string {
  const words = text.split(' ')
  const candidates = words.map((w, i) => [w, i] as const).filter(([w]) => /^\p{L}{6,}$/u.test(w))
  if (candidates.length === 0) return text
  const [word, index] = candidates[seed % candidates.length] as readonly [string, number]
  const at = 2 + (seed % (word.length - 3))
  words[index] = (seed >> 4) % 2 === 0 ? word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2) : word.slice(0, at) + word.slice(at + 1)
  return words.join(' ')
}

/** One variant of a message, chosen by its hash; undefined when no transformation applies. */
export function variantOf(message: WrittenMessage): string | undefined {
  const seed = textHash(`${message.text}#variant`)
  const kinds = ['plain', 'caps', 'sms', 'emoji', 'typo', 'regional'] as const
  const first = kinds[seed % kinds.length] as (typeof kinds)[number]
  const second = kinds[(seed >>> 8) % kinds.length] as (typeof kinds)[number]
  let text = message.text
  for (const kind of first === second ? [first] : [first, second]) text = transform(kind, text, seed, message.categories)
  return text === message.text ? undefined : text
}

function transform(kind: string, text: string, seed: number, categories: readonly ModerationCategory[]): string {
  switch (kind) {
    case 'plain':
      return foldCase(text).replace(/[.!?]+$/, '').replace(/,/g, '')
    case 'caps':
      return hasLinkOrData(text) ? text : text.toUpperCase()
    case 'sms':
      return SMS.reduce((t, [pattern, replacement]) => t.replace(pattern, replacement), text)
    case 'emoji': {
      const list = EMOJI[categories[0] ?? 'none'] ?? (EMOJI.none as readonly string[])
      const emoji = list[(seed >>> 3) % list.length] as string
      return `${text} ${emoji.repeat(1 + ((seed >>> 5) % 3))}`
    }
    case 'typo':
      return hasLinkOrData(text) ? text : typo(text, seed >>> 2)
    case 'regional':
      return (seed >>> 6) % 2 === 0
        ? `${OPENINGS[(seed >>> 9) % OPENINGS.length] as string}${text.charAt(0).toLowerCase()}${text.slice(1)}`
        : `${text.replace(/[.!]+$/, '')}${CLOSINGS[(seed >>> 9) % CLOSINGS.length] as string}`
    default:
      return text
  }
}

/** The note of a variant names the message it varies: both go to the same cross-validation fold. */
export const VARIANT_NOTE = 'variant of: '

/** The message an entry stands for: itself, or the one it is a variant of. */
export function baseTextOf(entry: { text: string; note?: string }): string {
  return entry.note?.startsWith(VARIANT_NOTE) ? entry.note.slice(VARIANT_NOTE.length) : entry.text
}

/** The corpus entries of the written messages, by split, with their variants. */
export function buildCorpus(messages: readonly WrittenMessage[]): Record<Split, CorpusEntry[]> {
  const out: Record<Split, CorpusEntry[]> = { dev: [], test: [] }
  const seen = new Set<string>()
  for (const message of messages) {
    const key = foldCase(message.text)
    if (seen.has(key)) throw new Error(`${message.file}:${message.line}: the same message is written twice`)
    seen.add(key)
    const split = splitOf(message.text)
    const texts = [message.text]
    const variant = variantOf(message)
    if (variant !== undefined && !seen.has(foldCase(variant))) {
      seen.add(foldCase(variant))
      texts.push(variant)
    }
    for (const text of texts) {
      const tenant = TENANTS[textHash(`${text}#tenant`) % TENANTS.length] as string
      const note = text === message.text ? {} : { note: `${VARIANT_NOTE}${message.text}` }
      out[split].push({ tenant, text, action: actionOf(tenant, message), categories: [...message.categories], ...note })
    }
  }
  return out
}

/** Files whose name ends in `.test.jsonl` are the held-out split; every other corpus file is dev. */
export function splitOfFile(file: string): Split {
  return file.endsWith('.test.jsonl') ? 'test' : 'dev'
}
