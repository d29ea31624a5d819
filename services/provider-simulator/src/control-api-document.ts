import type { TSchema } from 'typebox'
import { InjectSmsSchema, InjectWhatsAppSchema, EmitStatusSchema, LimitsSchema, TemplatePatchSchema } from './control-schemas.js'
import { FaultPlanSchema } from './fault-plan.js'
import { SimTwilioAccountSchema, SimWhatsAppSenderSchema } from './simulator-config.js'
import { SimTemplateSchema } from './template-catalog.js'

interface Operation {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete'
  readonly path: string
  readonly summary: string
  readonly description?: string
  readonly body?: { readonly schema: TSchema; readonly example: unknown }
  readonly query?: ReadonlyArray<{ readonly name: string; readonly description: string }>
  readonly ok: { readonly status: number; readonly description: string; readonly example?: unknown }
  readonly errors?: readonly number[]
}

const problem = {
  type: 'object',
  description: 'RFC 9457 problem details; `errors` names each field at fault (a JSON pointer into the body or query).',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
  },
  example: {
    type: 'about:blank',
    title: 'Bad Request',
    status: 400,
    detail: '/body is not a field of this request (its fields: to, from, profileName, text, message, messageId)',
    errors: [{ field: '/body', message: 'is not a field of this request (its fields: to, from, profileName, text, message, messageId)' }],
  },
}

const filters = [
  { name: 'provider', description: '`whatsapp-cloud` or `sms-gateway`' },
  { name: 'sender', description: 'phone_number_id (WhatsApp) or the SMS number, E.164' },
  { name: 'to', description: 'the recipient, E.164' },
  { name: 'correlation', description: 'the send-ledger id (biz_opaque_callback_data, StatusCallback `correlation`)' },
  { name: 'correlationPrefix', description: 'every correlation starting with it (a broadcast)' },
]

const OPERATIONS: readonly Operation[] = [
  { method: 'get', path: '/_sim/health', summary: 'Alive, and how many messages were accepted', ok: { status: 200, description: 'up', example: { status: 'ok', accepted: 0 } } },
  { method: 'get', path: '/_sim/senders', summary: 'The registered numbers (secrets left out)', ok: { status: 200, description: 'numbers' } },
  {
    method: 'post',
    path: '/_sim/senders/whatsapp',
    summary: 'Register (or replace) a WhatsApp business number',
    description: 'Its `templates` join its business account\'s catalog. Without `webhookUrl` nothing is posted for it.',
    body: {
      schema: SimWhatsAppSenderSchema,
      example: {
        phoneNumberId: '100000000000004',
        displayPhoneNumber: '+393667695184',
        businessAccountId: '102290129340398',
        accessToken: 'local-ancona-wa-token',
        appSecret: 'local-ancona-app-secret',
        webhookUrl: 'http://127.0.0.1:3001/webhooks/whatsapp',
        templates: [{ name: 'avviso_generico', language: 'it', bodyParameters: 2 }],
      },
    },
    ok: { status: 204, description: 'registered' },
    errors: [400],
  },
  {
    method: 'post',
    path: '/_sim/senders/twilio',
    summary: 'Register (or replace) a Twilio-compatible account and its numbers',
    body: {
      schema: SimTwilioAccountSchema,
      example: { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'local-corbetta-sms-token', numbers: [{ number: '+390297480001', smsUrl: 'http://127.0.0.1:3001/webhooks/sms/messages' }] },
    },
    ok: { status: 204, description: 'registered' },
    errors: [400],
  },
  {
    method: 'get',
    path: '/_sim/templates',
    summary: "The business accounts' message templates",
    query: [{ name: 'businessAccountId', description: 'one business account (a WABA id, or one of its numbers)' }],
    ok: { status: 200, description: 'templates', example: { templates: [{ businessAccountId: '102290129340398', name: 'avviso_generico', language: 'it', category: 'UTILITY', status: 'APPROVED', qualityRating: 'GREEN', bodyParameters: 2, headerParameters: 0 }] } },
  },
  {
    method: 'put',
    path: '/_sim/templates/{account}',
    summary: 'Add or replace a template of a business account',
    description:
      '`account`: a WABA id, a phone_number_id or a number (E.164) of the account. `buttons` are quick-reply buttons (`{type: "QUICK_REPLY", text}`, in order): a send\'s button component `{type: "button", sub_type: "quick_reply", index, parameters: [{type: "payload", payload}]}` must name one of them (131009 otherwise). An account that gets `allerta_emergenza` also gets `allerta_sondaggio` (it, fr) with the buttons "Sto bene" / "Ho bisogno di aiuto" ("Je vais bien" / "J\'ai besoin d\'aide").',
    body: { schema: SimTemplateSchema, example: { name: 'raccolta_rifiuti', language: 'it', category: 'UTILITY', bodyParameters: 1, body: 'Raccolta rifiuti: {{1}}', buttons: [{ type: 'QUICK_REPLY', text: 'Ho capito' }] } },
    ok: { status: 200, description: 'the template, defaults filled in' },
    errors: [400],
  },
  {
    method: 'patch',
    path: '/_sim/templates/{account}/{name}',
    summary: "Change a template's status or quality rating, as Meta's review and quality checks do",
    description:
      'Every translation, or only `language`. A send of a PAUSED template fails with 132015, DISABLED with 132016, PENDING or REJECTED with 132001.',
    body: { schema: TemplatePatchSchema, example: { status: 'PAUSED', qualityRating: 'RED' } },
    ok: { status: 200, description: 'the templates changed' },
    errors: [400, 404],
  },
  { method: 'get', path: '/_sim/limits', summary: 'Throughput and pair-rate limits', ok: { status: 200, description: 'limits', example: { defaultThroughputPerSecond: 80, pairRatePerSecond: 0.16666666666666666, pairBurst: 45, perSender: {} } } },
  {
    method: 'put',
    path: '/_sim/limits',
    summary: 'Change limits at run time',
    description: '`pairRatePerSecond: null` turns the pair rate limit (131056) off.',
    body: { schema: LimitsSchema, example: { sender: '100000000000004', throughputPerSecond: 20 } },
    ok: { status: 200, description: 'the limits now' },
    errors: [400],
  },
  { method: 'get', path: '/_sim/faults', summary: 'The fault plan', ok: { status: 200, description: 'the plan' } },
  {
    method: 'put',
    path: '/_sim/faults',
    summary: 'Replace the fault plan',
    body: { schema: FaultPlanSchema, example: { rules: [{ action: 'error', provider: 'whatsapp-cloud', errorCode: 131000, count: 2 }], statusCallbacks: { delayMs: 500 } } },
    ok: { status: 200, description: 'the plan' },
    errors: [400],
  },
  { method: 'delete', path: '/_sim/faults', summary: 'Clear the fault plan', ok: { status: 204, description: 'cleared' } },
  {
    method: 'post',
    path: '/_sim/inbound/whatsapp',
    summary: "A citizen's WhatsApp message, posted to the number's webhook as Meta posts it",
    description:
      'Give `text` for a text message, `message` for any Meta message object (without from, id, timestamp), or `reply: {id}` to answer an interactive list or reply-button message the number sent the citizen (posted as `interactive.list_reply` or `button_reply` with the row\'s title and description and `context` naming the message answered) or to tap a quick-reply button of a template sent to the citizen whose send gave the button that payload (posted as Meta\'s `type: "button"` message, `button: { payload, text }`, the label in the template\'s language, with `context`); 404 when no such message offers that id. Reuse a `messageId` to simulate a redelivery. Opens the citizen\'s 24-hour window.',
    body: { schema: InjectWhatsAppSchema, example: { to: '+393667695184', from: '+393331234567', profileName: 'Mario Rossi', text: 'ISCRIVIMI' } },
    ok: { status: 200, description: "posted; `delivery` is the webhook's final outcome, after the provider's retries (Meta's last up to 7 days of provider time)", example: { messageId: 'wamid.HBgM…', delivery: { ok: true, status: 200, attempts: 1 } } },
    errors: [400, 404, 409],
  },
  {
    method: 'post',
    path: '/_sim/inbound/sms',
    summary: "A citizen's SMS, posted to the number's smsUrl as Twilio posts it",
    description: 'STOP/START keywords change what the gateway lets through (21610), as Twilio\'s opt-out handling does.',
    body: { schema: InjectSmsSchema, example: { to: '+390297480001', from: '+393331234567', body: 'ISCRIVIMI' } },
    ok: { status: 200, description: 'posted', example: { messageId: 'SM…', delivery: { ok: true, status: 200, attempts: 1 } } },
    errors: [400, 404, 409],
  },
  {
    method: 'post',
    path: '/_sim/status',
    summary: 'Post one more status for an accepted message (a late read, a failure after delivery)',
    body: { schema: EmitStatusSchema, example: { providerMessageId: 'wamid.HBgM…', state: 'failed', errorCode: 131026 } },
    ok: { status: 200, description: 'posted, or why not' },
    errors: [400],
  },
  { method: 'get', path: '/_sim/messages', summary: 'Accepted messages', query: [...filters, { name: 'offset', description: 'skip' }, { name: 'limit', description: 'at most (default 1000)' }], ok: { status: 200, description: 'messages' }, errors: [400] },
  { method: 'get', path: '/_sim/messages/{id}', summary: 'One accepted message by provider id', ok: { status: 200, description: 'the message' }, errors: [404] },
  {
    method: 'get',
    path: '/_sim/stats',
    summary: 'Counts: record, rejections by reason, callbacks',
    description:
      "`callbacks` counts webhooks: `retrying` wait for a retry on their provider's schedule (Meta: up to 7 days; Twilio: one retry, on connection failures only; both divided by SIM_TIME_SCALE), `deliveredAfterRetry` got through on a retry, `failed` were given up (`retryOverflow` of them because the retry backlog was full).",
    query: filters,
    ok: {
      status: 200,
      description: 'stats',
      example: { callbacks: { queued: 3, delivered: 2, deliveredAfterRetry: 1, failed: 0, retryOverflow: 0, dropped: 0, pending: 1, retrying: 1, attempts: 5 } },
    },
    errors: [400],
  },
  { method: 'get', path: '/_sim/duplicates', summary: 'Correlations accepted more than once', query: filters, ok: { status: 200, description: 'duplicates' }, errors: [400] },
  { method: 'get', path: '/_sim/throughput', summary: 'Per sender, the most messages accepted in any sliding window', query: [...filters, { name: 'windowMs', description: 'default 1000' }], ok: { status: 200, description: 'maxima' }, errors: [400] },
  {
    method: 'post',
    path: '/_sim/settle',
    summary: 'Wait until every scheduled webhook was posted or given up, retries included',
    description: 'A webhook waiting for a retry keeps it unsettled (`callbacks.retrying`): compress the clock (SIM_TIME_SCALE) to wait through a provider\'s schedule.',
    query: [{ name: 'timeoutMs', description: 'default 30000' }],
    ok: { status: 200, description: 'settled or not', example: { settled: false, callbacks: { pending: 1, retrying: 1 } } },
  },
  { method: 'post', path: '/_sim/reset', summary: 'Forget messages, counters, windows, opt-outs and faults (senders, templates and limits stay)', ok: { status: 204, description: 'reset' } },
]

const ERROR_TEXT: Readonly<Record<number, string>> = { 400: 'a field is wrong (named in `errors`)', 404: 'no such number, template or message', 409: 'the number cannot receive it (no webhook URL)' }

/** Drops TypeBox's own keys: the document is plain JSON Schema. */
const plain = (schema: TSchema): unknown => JSON.parse(JSON.stringify(schema))

/** The control API as an OpenAPI 3.1 document, built from the schemas the routes validate with. */
export function controlApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const op of OPERATIONS) {
    const parameters = [
      ...[...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
      ...(op.query ?? []).map((q) => ({ name: q.name, in: 'query', required: false, description: q.description, schema: { type: 'string' } })),
    ]
    const responses: Record<string, unknown> = {
      [op.ok.status]: {
        description: op.ok.description,
        ...(op.ok.example !== undefined ? { content: { 'application/json': { example: op.ok.example } } } : {}),
      },
    }
    for (const status of op.errors ?? []) {
      responses[status] = { description: ERROR_TEXT[status] ?? 'error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } }
    }
    ;(paths[op.path] ??= {})[op.method] = {
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: plain(op.body.schema), example: op.body.example } } } } : {}),
      responses,
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Banditore provider simulator: control API',
      version: '1',
      description:
        "Drives the stand-in for Meta's WhatsApp Cloud API and the Twilio-compatible SMS gateway: numbers, templates, limits, faults, citizens' messages, and what was sent. The provider endpoints themselves (POST /{version}/{phoneNumberId}/messages, GET /{version}/{waba-id}/message_templates with Meta's paging and quality_score, POST /2010-04-01/Accounts/{AccountSid}/Messages.json) answer as the providers do. By default the simulator fails as production fails: the 24-hour window (131047), the pair rate limit (131056), the business account's templates (132000, 132001, 132015, 132016; a button component the template has no button for, 131009).",
    },
    paths,
    components: { schemas: { Problem: problem } },
  }
}

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c)

/** A self-contained page of the same document (no script, no outside assets). */
export function controlApiPage(): string {
  const document = controlApiDocument() as { info: { title: string; description: string } }
  const sections = OPERATIONS.map((op) => {
    const example = op.body ? `<p>Body, for example:</p><pre>${escape(JSON.stringify(op.body.example, null, 2))}</pre>` : ''
    const query = op.query?.length ? `<p>Query: ${op.query.map((q) => `<code>${escape(q.name)}</code> (${escape(q.description)})`).join(', ')}</p>` : ''
    const errors = op.errors?.length ? `<p>Errors (problem+json): ${op.errors.map((s) => `${s} ${escape(ERROR_TEXT[s] ?? '')}`).join('; ')}</p>` : ''
    const ok = op.ok.example !== undefined ? `<pre>${escape(JSON.stringify(op.ok.example, null, 2))}</pre>` : ''
    return `<section><h2><code>${op.method.toUpperCase()} ${escape(op.path)}</code></h2><p>${escape(op.summary)}</p>${op.description ? `<p>${escape(op.description)}</p>` : ''}${query}${example}<p>Answer: ${op.ok.status} ${escape(op.ok.description)}</p>${ok}${errors}</section>`
  }).join('\n')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(document.info.title)}</title></head><body><h1>${escape(document.info.title)}</h1><p>${escape(document.info.description)}</p><p>Machine-readable: <a href="/_sim/openapi.json">/_sim/openapi.json</a> (OpenAPI 3.1).</p><p>Problems: <pre>${escape(JSON.stringify(problem.example, null, 2))}</pre></p>\n${sections}</body></html>`
}
