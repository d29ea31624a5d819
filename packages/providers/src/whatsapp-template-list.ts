import { ProviderError, retryAfterMsFrom } from './provider-error.js'
import { requestProvider, type FetchFunction } from './provider-request.js'
import { classifyWhatsAppError } from './whatsapp-error-classifier.js'

/** Meta's review states of a template; only APPROVED can be sent. Meta adds states now and then. */
export type WhatsAppTemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED' | 'IN_APPEAL' | 'PENDING_DELETION' | 'DELETED' | 'LIMIT_EXCEEDED'
export type WhatsAppTemplateCategory = 'UTILITY' | 'MARKETING' | 'AUTHENTICATION'
/** `quality_score.score`: GREEN high, YELLOW medium, RED low, UNKNOWN not rated yet. */
export type WhatsAppTemplateQuality = 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN'

/** One translation of a message template, as the business account holds it. */
export interface WhatsAppTemplateInfo {
  readonly name: string
  /** Meta's language code: `it`, `en_US`. */
  readonly language: string
  /** One of WhatsAppTemplateStatus, or a state Meta added since (kept as Meta spells it). */
  readonly status: WhatsAppTemplateStatus | (string & {})
  readonly category: WhatsAppTemplateCategory | (string & {})
  readonly qualityRating: WhatsAppTemplateQuality
  /** The BODY component's text, placeholders as they are (`{{1}}`); empty when it has none. */
  readonly body: string
  /** Distinct variables in the body: what a send must fill. */
  readonly parameterCount: number
}

export interface ListWhatsAppTemplatesInput {
  readonly businessAccountId: string
  readonly accessToken: string
  /** Default https://graph.facebook.com; the simulator's URL in tests and the local stack. */
  readonly baseUrl?: string
  /** Default v21.0. */
  readonly apiVersion?: string
  /** Templates per page asked for. Default 100. */
  readonly pageSize?: number
  /** Per-request deadline in ms. Default 10000. */
  readonly timeoutMs?: number
  readonly fetch?: FetchFunction
}

/** A business account holds at most a few thousand templates: a guard against a cursor that never ends. */
const MAX_PAGES = 200
const FIELDS = 'name,language,status,category,id,components,quality_score'
const QUALITIES = new Set<WhatsAppTemplateQuality>(['GREEN', 'YELLOW', 'RED', 'UNKNOWN'])

interface GraphTemplateNode {
  name?: unknown
  language?: unknown
  status?: unknown
  category?: unknown
  components?: Array<{ type?: unknown; text?: unknown }>
  quality_score?: { score?: unknown }
}
interface GraphTemplatePage {
  data?: unknown
  paging?: { cursors?: { after?: unknown }; next?: unknown }
}
interface GraphErrorBody {
  error?: { message?: string; code?: number; error_data?: { details?: string } }
}

/** Distinct `{{1}}`/`{{name}}` placeholders of a text. */
export function placeholderCount(text: string): number {
  return new Set([...text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1])).size
}

function malformed(detail: string, status: number, body: unknown): ProviderError {
  return new ProviderError(`whatsapp-cloud: template listing not understood (${detail})`, {
    provider: 'whatsapp-cloud',
    kind: 'retryable',
    httpStatus: status,
    detail,
    cause: body,
  })
}

function templateOf(node: GraphTemplateNode, status: number, body: unknown): WhatsAppTemplateInfo {
  if (typeof node.name !== 'string' || typeof node.language !== 'string' || typeof node.status !== 'string') {
    throw malformed('a template without name, language or status', status, body)
  }
  const text = node.components?.find((c) => typeof c.type === 'string' && c.type.toUpperCase() === 'BODY')?.text
  const bodyText = typeof text === 'string' ? text : ''
  const score = node.quality_score?.score
  return {
    name: node.name,
    language: node.language,
    status: node.status.toUpperCase(),
    category: typeof node.category === 'string' ? node.category.toUpperCase() : 'UTILITY',
    qualityRating: typeof score === 'string' && QUALITIES.has(score as WhatsAppTemplateQuality) ? (score as WhatsAppTemplateQuality) : 'UNKNOWN',
    body: bodyText,
    parameterCount: placeholderCount(bodyText),
  }
}

/**
 * Every message template of a WhatsApp Business Account: GET {baseUrl}/{apiVersion}/{waba-id}/
 * message_templates, page after page (by the `after` cursor while Meta gives a `next`). A failure
 * is a ProviderError classified as a send's would be (190: permanent, 5xx: retryable...).
 */
export async function listWhatsAppTemplates(input: ListWhatsAppTemplatesInput): Promise<WhatsAppTemplateInfo[]> {
  const baseUrl = (input.baseUrl ?? 'https://graph.facebook.com').replace(/\/+$/, '')
  const fetchFn: FetchFunction = input.fetch ?? ((url, init) => fetch(url, init))
  const url = `${baseUrl}/${input.apiVersion ?? 'v21.0'}/${encodeURIComponent(input.businessAccountId)}/message_templates`
  const templates: WhatsAppTemplateInfo[] = []
  let after: string | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ fields: FIELDS, limit: String(input.pageSize ?? 100), ...(after ? { after } : {}) })
    const response = await requestProvider(
      'whatsapp-cloud',
      fetchFn,
      `${url}?${query.toString()}`,
      { method: 'GET', headers: { authorization: `Bearer ${input.accessToken}`, accept: 'application/json' } },
      input.timeoutMs ?? 10_000,
    )
    if (response.status < 200 || response.status >= 300) {
      const error = (response.json as GraphErrorBody | undefined)?.error
      throw new ProviderError(`whatsapp-cloud: template listing HTTP ${response.status} ${error?.message ?? ''}`.trim(), {
        provider: 'whatsapp-cloud',
        kind: classifyWhatsAppError(response.status, error?.code),
        providerCode: error?.code === undefined ? undefined : String(error.code),
        httpStatus: response.status,
        retryAfterMs: retryAfterMsFrom(response.headers.get('retry-after')),
        title: error?.message,
        detail: error?.error_data?.details,
        cause: response.json,
      })
    }
    const body = response.json as GraphTemplatePage | undefined
    if (!body || !Array.isArray(body.data)) throw malformed('no data array', response.status, response.json)
    for (const node of body.data as GraphTemplateNode[]) templates.push(templateOf(node ?? {}, response.status, response.json))
    const cursor = body.paging?.cursors?.after
    if (typeof body.paging?.next !== 'string' || typeof cursor !== 'string' || cursor.length === 0) return templates
    after = cursor
  }
  throw malformed(`more than ${MAX_PAGES} pages`, 200, undefined)
}
