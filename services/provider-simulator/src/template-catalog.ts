import Type from 'typebox'

const Category = Type.Union([Type.Literal('UTILITY'), Type.Literal('MARKETING'), Type.Literal('AUTHENTICATION')])
const Status = Type.Union([Type.Literal('APPROVED'), Type.Literal('PENDING'), Type.Literal('REJECTED'), Type.Literal('PAUSED'), Type.Literal('DISABLED')])
const Quality = Type.Union([Type.Literal('GREEN'), Type.Literal('YELLOW'), Type.Literal('RED'), Type.Literal('UNKNOWN')])

/**
 * A message template as a business account holds it (Meta's WhatsApp Manager), as callers give
 * it: what is left out takes its default.
 */
export const SimTemplateSchema = Type.Object(
  {
    /** Meta: lowercase letters, digits and underscores. */
    name: Type.String({ pattern: '^[a-z0-9_]{1,512}$', examples: ['avviso_generico'] }),
    /** The translation's language code, e.g. `it`, `en_US`. */
    language: Type.String({ minLength: 2, examples: ['it'] }),
    /** Default UTILITY. */
    category: Type.Optional(Category),
    /** Only APPROVED templates can be sent. Default APPROVED. */
    status: Type.Optional(Status),
    /** Meta's quality rating (`quality_score.score`). Default UNKNOWN (not yet rated). */
    qualityRating: Type.Optional(Quality),
    /** Variables ({{1}}, {{2}}...) in the body: a send must give exactly this many. Default 0. */
    bodyParameters: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Variables in the header (a text header has at most one; a media header has one). Default 0. */
    headerParameters: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
    /**
     * The BODY component's text, as the template listing (`GET /{waba-id}/message_templates`)
     * answers it. Default: a neutral text with `bodyParameters` placeholders.
     */
    body: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false },
)
export type SimTemplateInput = Type.Static<typeof SimTemplateSchema>
export type SimTemplate = Required<Omit<SimTemplateInput, 'body'>> & { readonly body?: string }

/** The changes `PATCH /_sim/templates/...` accepts: what Meta changes on its own (review, quality). */
export const SimTemplateUpdateSchema = Type.Object(
  {
    status: Type.Optional(Status),
    qualityRating: Type.Optional(Quality),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type SimTemplateUpdate = Type.Static<typeof SimTemplateUpdateSchema>

export function completeTemplate(input: SimTemplateInput): SimTemplate {
  return {
    category: 'UTILITY',
    status: 'APPROVED',
    qualityRating: 'UNKNOWN',
    bodyParameters: 0,
    headerParameters: 0,
    ...input,
  }
}

/** What a template send gave: the parameters per component. */
export interface TemplateSendShape {
  readonly name: string
  readonly language: string
  readonly components?: ReadonlyArray<{ readonly type: string; readonly parameters?: readonly unknown[] }>
}

/** Why a template send is refused, as a Cloud API error code and its details. */
export interface TemplateRefusal {
  readonly code: 132000 | 132001 | 132015 | 132016
  readonly details: string
}

/**
 * Each business account's message templates. A send is checked the way the Cloud API checks it:
 * the name must exist in the language and be approved (132001), not paused (132015) or disabled
 * (132016), and give as many parameters as the template has variables (132000).
 */
export class TemplateCatalog {
  private readonly byAccount = new Map<string, Map<string, SimTemplate>>()

  set(businessAccountId: string, input: SimTemplateInput): SimTemplate {
    const template = completeTemplate(input)
    let templates = this.byAccount.get(businessAccountId)
    if (!templates) this.byAccount.set(businessAccountId, (templates = new Map()))
    templates.set(`${template.name}|${template.language}`, template)
    return template
  }

  /** Updates every translation of `name` (or only `language`); returns what changed, none when unknown. */
  update(businessAccountId: string, name: string, language: string | undefined, update: SimTemplateUpdate): SimTemplate[] {
    const changed: SimTemplate[] = []
    for (const [key, template] of this.byAccount.get(businessAccountId) ?? []) {
      if (template.name !== name || (language !== undefined && template.language !== language)) continue
      const next = { ...template, ...update }
      this.byAccount.get(businessAccountId)?.set(key, next)
      changed.push(next)
    }
    return changed
  }

  list(businessAccountId?: string): Array<SimTemplate & { businessAccountId: string }> {
    return [...this.byAccount]
      .filter(([account]) => businessAccountId === undefined || account === businessAccountId)
      .flatMap(([account, templates]) => [...templates.values()].map((t) => ({ businessAccountId: account, ...t })))
  }

  /** The refusal for a template send, or undefined when the Cloud API would accept it. */
  check(businessAccountId: string, send: TemplateSendShape): TemplateRefusal | undefined {
    const template = this.byAccount.get(businessAccountId)?.get(`${send.name}|${send.language}`)
    if (!template || template.status === 'PENDING' || template.status === 'REJECTED') {
      return { code: 132001, details: `template name (${send.name}) does not exist in ${send.language}` }
    }
    if (template.status === 'PAUSED') {
      return { code: 132015, details: `Template ${send.name} is paused due to low quality so it cannot be sent in a template message.` }
    }
    if (template.status === 'DISABLED') {
      return {
        code: 132016,
        details: `Template ${send.name} has been paused too many times due to low quality and is now permanently disabled.`,
      }
    }
    for (const [component, expected] of [
      ['header', template.headerParameters],
      ['body', template.bodyParameters],
    ] as const) {
      const given = (send.components ?? []).filter((c) => c.type === component).reduce((n, c) => n + (c.parameters?.length ?? 0), 0)
      if (given !== expected) {
        return {
          code: 132000,
          details: `${component}: number of localizable_params (${given}) does not match the expected number of params (${expected})`,
        }
      }
    }
    return undefined
  }

  clear() {
    this.byAccount.clear()
  }
}
