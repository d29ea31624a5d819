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
    /**
     * The BUTTONS component: quick-reply buttons, in order (a send's button component `index`
     * names one), labelled in the template's language. Meta: at most 10 buttons, a label at
     * most 25 characters. Default none.
     */
    buttons: Type.Optional(
      Type.Array(
        Type.Object(
          {
            type: Type.Literal('QUICK_REPLY'),
            text: Type.String({ minLength: 1, maxLength: 25, examples: ['Sto bene'] }),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 10 },
      ),
    ),
  },
  { additionalProperties: false },
)
export type SimTemplateInput = Type.Static<typeof SimTemplateSchema>
export type SimTemplateButton = NonNullable<SimTemplateInput['buttons']>[number]
export type SimTemplate = Required<Omit<SimTemplateInput, 'body' | 'buttons'>> & {
  readonly body?: string
  readonly buttons?: readonly SimTemplateButton[]
}

/** The emergency alert template every tenant's business account holds (`emergency.whatsappTemplate`). */
const EMERGENCY_TEMPLATE_NAME = 'allerta_emergenza'
/** The safety-poll alert: the emergency template's body with two quick-reply buttons ("ok", "help"). */
export const SAFETY_POLL_TEMPLATE_NAME = 'allerta_sondaggio'
/** The poll template's translations: its labels, "I'm fine" first, then "I need help". */
const SAFETY_POLL_TRANSLATIONS: ReadonlyArray<{ language: string; lead: string; question: string; buttons: readonly [string, string] }> = [
  { language: 'it', lead: 'Avviso del Comune', question: 'Come state? Rispondete con un pulsante.', buttons: ['Sto bene', 'Ho bisogno di aiuto'] },
  { language: 'fr', lead: 'Avis de la Commune', question: 'Comment allez-vous ? Répondez avec un bouton.', buttons: ['Je vais bien', "J'ai besoin d'aide"] },
]

/**
 * The safety-poll template as a business account that holds `emergency` gets it (Italian and
 * French, UTILITY, approved): the same variables as the emergency template (the platform fills
 * both alike), then the question and the two quick-reply buttons.
 */
function safetyPollTemplates(emergency: SimTemplate): SimTemplateInput[] {
  return SAFETY_POLL_TRANSLATIONS.map(({ language, lead, question, buttons }) => {
    const placeholders = Array.from({ length: emergency.bodyParameters }, (_, i) => `{{${i + 1}}}`)
    // Meta does not approve a body that starts or ends with a variable, or two variables side by side.
    const alert = placeholders.length > 0 ? `${lead}: ${placeholders.join(' – ')}` : `${lead}.`
    return {
      name: SAFETY_POLL_TEMPLATE_NAME,
      language,
      category: 'UTILITY',
      bodyParameters: emergency.bodyParameters,
      headerParameters: emergency.headerParameters,
      body: `${alert}\n\n${question}`,
      buttons: buttons.map((text) => ({ type: 'QUICK_REPLY' as const, text })),
    }
  })
}

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

/** What a template send gave: the parameters per component (button components with their sub_type and index). */
export interface TemplateSendShape {
  readonly name: string
  readonly language: string
  readonly components?: ReadonlyArray<{
    readonly type: string
    readonly sub_type?: unknown
    readonly index?: unknown
    readonly parameters?: readonly unknown[]
  }>
}

/** Why a template send is refused, as a Cloud API error code and its details. */
export interface TemplateRefusal {
  readonly code: 131008 | 131009 | 132000 | 132001 | 132015 | 132016
  readonly details: string
}

/** A quick-reply button of an accepted template send: its label and the payload the send gave it. */
export interface SentTemplateButton {
  readonly index: number
  readonly text: string
  readonly payload: string
}

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)
/** Meta names a button type in its details as `Quick_reply`, `Url`. */
const buttonTypeName = (subType: string) => `${subType.charAt(0).toUpperCase()}${subType.slice(1)}`

/** A sendable template's status and its header and body parameters against the send (132015, 132016, 132000). */
function parameterRefusal(template: SimTemplate, send: TemplateSendShape): TemplateRefusal | undefined {
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

/**
 * The button components of a send against the template's buttons, as the Cloud API checks them:
 * a component without `sub_type`, `index` or its payload is 131008 "Required parameter is
 * missing"; one naming a button the template does not have at that index with that type (an
 * index out of range, any button of a template without buttons, a sub_type other than
 * quick_reply: the simulated templates have quick-reply buttons only), a repeated index or a
 * parameter that is no payload is 131009 "Parameter value is not valid" (Meta's details: "Button
 * at index 2 of type Quick_reply does not exist"); a quick-reply button given other than exactly
 * one parameter is 132000, as a header or body with the wrong number of parameters is.
 * A button the send leaves out is no error (its label still shows); it just carries no payload of ours.
 */
function checkButtons(template: SimTemplate, send: TemplateSendShape): TemplateRefusal | SentTemplateButton[] {
  const sent: SentTemplateButton[] = []
  const components = send.components ?? []
  for (const [position, component] of components.entries()) {
    if (component.type.toLowerCase() !== 'button') continue
    const at = `template.components[${position}]`
    if (component.sub_type === undefined) return { code: 131008, details: `Parameter ${at}.sub_type is required.` }
    if (component.index === undefined) return { code: 131008, details: `Parameter ${at}.index is required.` }
    if (typeof component.sub_type !== 'string') return { code: 131009, details: `Parameter value is not valid: ${at}.sub_type must be a string` }
    const index = typeof component.index === 'number' ? component.index : typeof component.index === 'string' && /^\d+$/.test(component.index) ? Number(component.index) : NaN
    if (!Number.isInteger(index) || index < 0 || index > 9) {
      return { code: 131009, details: `Parameter value is not valid: ${at}.index must be an integer from 0 to 9` }
    }
    const subType = component.sub_type.toLowerCase()
    const button = template.buttons?.[index]
    if (!button || subType !== 'quick_reply' || button.type !== 'QUICK_REPLY') {
      return { code: 131009, details: `Button at index ${index} of type ${buttonTypeName(subType)} does not exist` }
    }
    if (sent.some((b) => b.index === index)) return { code: 131009, details: `Parameter value is not valid: ${at}.index ${index} is given twice` }
    const parameters = component.parameters ?? []
    if (parameters.length !== 1) {
      return { code: 132000, details: `button: number of localizable_params (${parameters.length}) does not match the expected number of params (1)` }
    }
    const parameter = parameters[0]
    if (!isObject(parameter) || parameter.type !== 'payload') {
      return { code: 131009, details: `Parameter value is not valid: ${at}.parameters[0].type must be payload for a quick_reply button` }
    }
    if (parameter.payload === undefined) return { code: 131008, details: `Parameter ${at}.parameters[0].payload is required.` }
    if (typeof parameter.payload !== 'string' || parameter.payload.length === 0) {
      return { code: 131009, details: `Parameter value is not valid: ${at}.parameters[0].payload must be a non-empty string` }
    }
    sent.push({ index, text: button.text, payload: parameter.payload })
  }
  return sent.sort((a, b) => a.index - b.index)
}

/**
 * Each business account's message templates. A send is checked the way the Cloud API checks it:
 * the name must exist in the language and be approved (132001), not paused (132015) or disabled
 * (132016), give as many parameters as the template has variables (132000), and name only
 * buttons the template has (131008, 131009, 132000: see checkButtons).
 *
 * An account that gets the emergency template (`allerta_emergenza`, as every tenant's has) also
 * gets the safety-poll template (`allerta_sondaggio`, it and fr, two quick-reply buttons), unless
 * it already has that translation: the platform sends it for alerts that ask "are you safe?".
 */
export class TemplateCatalog {
  private readonly byAccount = new Map<string, Map<string, SimTemplate>>()

  set(businessAccountId: string, input: SimTemplateInput): SimTemplate {
    const template = completeTemplate(input)
    let templates = this.byAccount.get(businessAccountId)
    if (!templates) this.byAccount.set(businessAccountId, (templates = new Map()))
    templates.set(`${template.name}|${template.language}`, template)
    if (template.name === EMERGENCY_TEMPLATE_NAME) {
      for (const poll of safetyPollTemplates(template)) {
        const key = `${poll.name}|${poll.language}`
        if (!templates.has(key)) templates.set(key, completeTemplate(poll))
      }
    }
    return template
  }

  get(businessAccountId: string, name: string, language: string): SimTemplate | undefined {
    return this.byAccount.get(businessAccountId)?.get(`${name}|${language}`)
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

  /**
   * The refusal for a template send, or what the Cloud API accepts: the quick-reply buttons the
   * send gave a payload, with their labels (none when it gave none).
   */
  check(businessAccountId: string, send: TemplateSendShape): { refusal: TemplateRefusal } | { buttons: SentTemplateButton[] } {
    const template = this.get(businessAccountId, send.name, send.language)
    if (!template || template.status === 'PENDING' || template.status === 'REJECTED') {
      return { refusal: { code: 132001, details: `template name (${send.name}) does not exist in ${send.language}` } }
    }
    const refusal = parameterRefusal(template, send)
    if (refusal) return { refusal }
    const buttons = checkButtons(template, send)
    return Array.isArray(buttons) ? { buttons } : { refusal: buttons }
  }

  clear() {
    this.byAccount.clear()
  }
}
