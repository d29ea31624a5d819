import { createHash, timingSafeEqual } from 'node:crypto'
import { graphError, graphUnknownObject } from './provider-error-catalog.js'
import { businessAccountOf, type ProviderSimulator, type SimReply } from './provider-simulator.js'
import type { SimTemplate } from './template-catalog.js'

/** What Meta answers when `fields` is not given (quality_score only when asked for). */
const DEFAULT_FIELDS = ['name', 'components', 'language', 'status', 'category', 'id'] as const
/** Graph API edges answer 25 by default. */
const DEFAULT_LIMIT = 25
const MAX_LIMIT = 1000

export interface TemplateListRequest {
  readonly version: string
  readonly businessAccountId: string
  readonly authorization: string | undefined
  /** The query string, as parsed: `limit`, `after`, `before`, `fields`, `status`, `name`, `category`, `language`, `access_token`. */
  readonly query: Readonly<Record<string, string | string[] | undefined>>
  /** The URL this listing was asked at, without its query (for `paging.next`). */
  readonly selfUrl: string
}

const sameSecret = (a: string, b: string) => {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)
const listOf = (value: string | string[] | undefined) =>
  (first(value) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)

/** Meta's cursors are opaque base64 strings; ours carry the offset. */
const cursorOf = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url')
function offsetOf(cursor: string): number | undefined {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  return match ? Number(match[1]) : undefined
}

/** A stable numeric id per template translation, as Meta's ids look. */
const templateId = (account: string, template: SimTemplate) =>
  String(BigInt(`0x${createHash('sha256').update(`${account}|${template.name}|${template.language}`).digest('hex').slice(0, 13)}`))

/** The template as a WhatsApp Message Template node (the fields asked for). */
function templateNode(account: string, template: SimTemplate, fields: readonly string[]): Record<string, unknown> {
  const placeholders = Array.from({ length: template.bodyParameters }, (_, i) => `{{${i + 1}}}`)
  const body = template.body ?? (placeholders.length > 0 ? `Comunicazione del Comune: ${placeholders.join(' ')}` : 'Comunicazione del Comune.')
  const components: Array<Record<string, unknown>> = []
  if (template.headerParameters > 0) components.push({ type: 'HEADER', format: 'TEXT', text: '{{1}}', example: { header_text: ['Avviso'] } })
  components.push({
    type: 'BODY',
    text: body,
    ...(template.bodyParameters > 0 ? { example: { body_text: [placeholders.map((_, i) => `esempio ${i + 1}`)] } } : {}),
  })
  if (template.buttons?.length) components.push({ type: 'BUTTONS', buttons: template.buttons.map((b) => ({ type: b.type, text: b.text })) })
  const all: Record<string, unknown> = {
    name: template.name,
    components,
    language: template.language,
    status: template.status,
    category: template.category,
    id: templateId(account, template),
    quality_score: { score: template.qualityRating },
    parameter_format: 'POSITIONAL',
  }
  return Object.fromEntries(fields.filter((field) => field in all).map((field) => [field, all[field]]))
}

/**
 * GET /{version}/{waba-id}/message_templates, as the Graph API answers it: the business account's
 * templates, one node per translation, `limit` at a time, with `paging.cursors` and `next`.
 * The token must be one of the account's numbers' (Bearer, or `access_token`); an id that is no
 * business account the simulator knows is Meta's unknown-object error (100, subcode 33).
 */
export function handleTemplateList(sim: ProviderSimulator, request: TemplateListRequest): SimReply {
  const reply = (response: { status: number; body: unknown }): SimReply => ({ kind: 'reply', ...response })
  if (!/^v\d+\.\d+$/.test(request.version)) return reply(graphError(100, { details: `Unknown API version ${request.version}` }))
  const token = /^Bearer (.+)$/i.exec(request.authorization ?? '')?.[1] ?? first(request.query.access_token)
  if (!token) {
    sim.rejections.unauthorized++
    return reply(graphError(190))
  }
  const account = request.businessAccountId
  const numbers = sim.senders.allWhatsApp().filter((sender) => businessAccountOf(sender) === account)
  if (numbers.length === 0) {
    sim.rejections.invalid++
    return reply(graphUnknownObject(account, 'get'))
  }
  if (!numbers.some((sender) => sameSecret(token, sender.accessToken))) {
    sim.rejections.unauthorized++
    return reply(graphError(190))
  }

  const limitText = first(request.query.limit)
  const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText)
  if (!Number.isInteger(limit) || limit < 1) {
    sim.rejections.invalid++
    return reply(graphError(100, { details: 'Param limit must be a positive integer' }))
  }
  const fields = listOf(request.query.fields)
  const statuses = new Set(listOf(request.query.status).map((s) => s.toUpperCase()))
  const categories = new Set(listOf(request.query.category).map((s) => s.toUpperCase()))
  const language = first(request.query.language)
  const name = first(request.query.name)?.toLowerCase()
  const templates = sim.templates
    .list(account)
    .filter(
      (t) =>
        (statuses.size === 0 || statuses.has(t.status)) &&
        (categories.size === 0 || categories.has(t.category)) &&
        (language === undefined || t.language === language) &&
        (name === undefined || t.name.includes(name)),
    )
    .sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language))

  const after = first(request.query.after)
  const before = first(request.query.before)
  const cursorText = after ?? before
  const cursor = cursorText === undefined ? undefined : offsetOf(cursorText)
  if (cursorText !== undefined && cursor === undefined) {
    sim.rejections.invalid++
    return reply(graphError(100, { details: 'Invalid cursor' }))
  }
  // `after` points at the last node of the page before; `before` at the first of the page after.
  const start = after !== undefined ? (cursor as number) + 1 : before !== undefined ? Math.max(0, (cursor as number) - limit) : 0
  const page = templates.slice(start, start + Math.min(limit, MAX_LIMIT))
  const data = page.map((t) => templateNode(account, t, fields.length > 0 ? fields : DEFAULT_FIELDS))
  const end = start + page.length
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(request.query)) {
    if (value !== undefined && key !== 'after' && key !== 'before' && key !== 'access_token') query.set(key, first(value) as string)
  }
  query.set('limit', String(limit))
  const link = (key: 'after' | 'before', value: string) => {
    const params = new URLSearchParams(query)
    params.set(key, value)
    return `${request.selfUrl}?${params.toString()}`
  }
  return reply({
    status: 200,
    body: {
      data,
      ...(page.length > 0
        ? {
            paging: {
              cursors: { before: cursorOf(start), after: cursorOf(end - 1) },
              ...(start > 0 ? { previous: link('before', cursorOf(start)) } : {}),
              ...(end < templates.length ? { next: link('after', cursorOf(end - 1)) } : {}),
            },
          }
        : {}),
    },
  })
}
