import type { OfficeHours } from '@banditore/platform'

export type { OfficeHours }

const DAY_NAMES: Record<string, string[]> = {
  it: ['lunedì', 'martedì', 'mercoledì', 'giovedì', 'venerdì', 'sabato', 'domenica'],
  fr: ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'],
  en: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
}
const AND: Record<string, string> = { it: 'e', fr: 'et', en: 'and' }

const joinWords = (words: string[], and: string) =>
  words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} ${and} ${words.at(-1)}`

const formatTime = (hhmm: string) => (hhmm.endsWith(':00') ? String(Number(hhmm.slice(0, 2))) : hhmm.replace(/^0/, ''))

/**
 * The opening hours as a citizen reads them, days with the same intervals grouped:
 * "lunedì, mercoledì e venerdì 9-13; martedì e giovedì 9-13 e 15-17".
 */
export function describeOfficeHours(hours: OfficeHours, language: string): string {
  const names = DAY_NAMES[language] ?? DAY_NAMES.en!
  const and = AND[language] ?? AND.en!
  const groups = new Map<string, number[]>()
  for (let day = 1; day <= 7; day++) {
    const intervals = hours.weekly[String(day)] ?? []
    if (intervals.length === 0) continue
    const key = joinWords(
      intervals.map(([from, to]) => `${formatTime(from)}-${formatTime(to)}`),
      and,
    )
    groups.set(key, [...(groups.get(key) ?? []), day])
  }
  return [...groups.entries()].map(([times, days]) => `${joinWords(days.map((d) => names[d - 1]!), and)} ${times}`).join('; ')
}
