import type { OutboundInteractive, Tenant } from '@banditore/contracts'
import { fillText, renderText, type TopicMenuTextKey } from './tenant-texts.js'

/**
 * The WhatsApp topic menu: an interactive list answering the topics keyword alone. One row per
 * optional topic (`topics:<id>`: that topic only) and one for every topic (`topics:all`), the ids
 * the command parser reads back from the citizen's list reply. Always-on topics are not rows:
 * nobody can leave them, the footer says they always arrive.
 */

/** Meta's list limits (rows over all sections, characters). */
const MAX_ROWS = 10
const HEADER_MAX = 60
const FOOTER_MAX = 60
const ROW_TITLE_MAX = 24
const ROW_DESCRIPTION_MAX = 72

/** Used where the tenant file gives no text of its own; other languages use the Italian ones. */
const DEFAULT_TEXTS: Record<string, Record<TopicMenuTextKey, string>> = {
  it: {
    topicsMenu: 'Scegli dal menu i temi che vuoi ricevere. Puoi anche scrivere {topicsKeyword} seguito dai nomi dei temi.',
    topicsMenuButton: 'Scegli i temi',
    topicsMenuAll: 'Tutti i temi',
    topicsMenuOnly: 'Solo questo tema',
    topicsMenuFooter: 'Sempre inclusi: {topics}',
  },
  fr: {
    topicsMenu: 'Choisissez dans le menu les thèmes que vous voulez recevoir. Vous pouvez aussi écrire {topicsKeyword} suivi des noms des thèmes.',
    topicsMenuButton: 'Choisir les thèmes',
    topicsMenuAll: 'Tous les thèmes',
    topicsMenuOnly: 'Ce thème seulement',
    topicsMenuFooter: 'Toujours inclus : {topics}',
  },
}

/** Cut to `max` characters with an ellipsis (Meta refuses longer ones). */
const fit = (value: string, max: number) => (value.length <= max ? value : `${value.slice(0, max - 1).trimEnd()}…`)

/**
 * The menu in `language`, or undefined when a list does not fit the tenant: fewer than two
 * optional topics (nothing to choose) or more than nine (ten rows with "all"): those tenants keep
 * the text answer, which names every topic.
 */
export function topicMenu(tenant: Tenant, language: string): OutboundInteractive | undefined {
  const optional = tenant.topics.filter((t) => !t.alwaysOn)
  if (optional.length < 2 || optional.length + 1 > MAX_ROWS) return undefined
  const nameOf = (t: Tenant['topics'][number]) => t.names[language] ?? t.names[tenant.languages[0]!] ?? t.id
  const text = (key: TopicMenuTextKey, values: { topics?: string } = {}) =>
    renderText(tenant, language, key, values) ?? fillText(tenant, language, (DEFAULT_TEXTS[language] ?? DEFAULT_TEXTS.it!)[key], values)
  const alwaysOn = tenant.topics.filter((t) => t.alwaysOn).map(nameOf).join(', ')
  const footer = alwaysOn ? text('topicsMenuFooter', { topics: alwaysOn }) : undefined
  return {
    kind: 'list',
    header: fit(tenant.name, HEADER_MAX),
    body: text('topicsMenu'),
    // A footer cut mid-list would misstate what always arrives: left out instead.
    ...(footer && footer.length <= FOOTER_MAX ? { footer } : {}),
    button: fit(text('topicsMenuButton'), 20),
    sections: [
      {
        rows: [
          { id: 'topics:all', title: fit(text('topicsMenuAll'), ROW_TITLE_MAX), description: fit(optional.map(nameOf).join(', '), ROW_DESCRIPTION_MAX) },
          ...optional.map((t) => ({ id: `topics:${t.id}`, title: fit(nameOf(t), ROW_TITLE_MAX), description: fit(text('topicsMenuOnly'), ROW_DESCRIPTION_MAX) })),
        ],
      },
    ],
  }
}
