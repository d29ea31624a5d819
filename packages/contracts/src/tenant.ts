import Type from 'typebox'
import { E164Schema, TenantIdSchema } from './common.js'
import { defineContract } from './validate.js'

/** An ISO 639-1 language code the tenant speaks (`it`, `fr`). */
export const LanguageSchema = Type.String({ pattern: '^[a-z]{2}$' })

/** Texts in each of the tenant's languages: `{ "it": "...", "fr": "..." }`. */
const Localized = <T extends Type.TSchema>(of: T) => Type.Record(Type.String({ pattern: '^[a-z]{2}$' }), of)

const Interval = Type.Tuple([Type.String({ pattern: '^[0-2][0-9]:[0-5][0-9]$' }), Type.String({ pattern: '^[0-2][0-9]:[0-5][0-9]$' })])

export const TenantChannelsSchema = Type.Object(
  {
    whatsapp: Type.Optional(
      Type.Object(
        {
          /** The Cloud API phone-number id webhooks and sends are keyed by. */
          phoneNumberId: Type.String({ minLength: 1 }),
          /**
           * The WhatsApp Business Account (WABA) id the number belongs to: the platform reads its
           * message templates (status, category, quality) from it. Absent: no template registry.
           */
          businessAccountId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })),
          /** The number citizens save and write to, E.164. */
          number: E164Schema,
          /** Environment variable holding the Graph API access token. */
          accessTokenEnv: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }),
          /** Environment variable holding the Meta app secret that signs webhooks. */
          appSecretEnv: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }),
          /** Messages per second the number's tier allows (80 by default, up to 1,000). */
          messagesPerSecond: Type.Integer({ minimum: 1, maximum: 1000, default: 80 }),
          /**
           * Meta's messaging limit of the business portfolio: unique recipients outside the
           * 24-hour window in a moving 24 hours (250 when absent). The pre-flight plan checks it.
           */
          messagingLimit: Type.Optional(
            Type.Union([Type.Literal(250), Type.Literal(2000), Type.Literal(10_000), Type.Literal(100_000), Type.Literal('unlimited')]),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    sms: Type.Optional(
      Type.Object(
        {
          /** The gateway number citizens text, E.164. */
          number: E164Schema,
          /** Environment variables holding the gateway account id and auth token. */
          accountSidEnv: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }),
          authTokenEnv: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }),
          /**
           * Environment variable holding the shared key of the gateway's Webhook Setting, when
           * one signs this number's webhooks with HMAC-SHA256 (X-Twilio-Webhooks-Signature-Settings)
           * instead of the auth token's HMAC-SHA1.
           */
          webhookSigningKeyEnv: Type.Optional(Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' })),
          /**
           * The alphanumeric sender ID broadcasts and alerts are sent from (what citizens see
           * instead of the number: `ComCorbetta`), registered with the gateway and, in Italy, in
           * AGCOM's alias registry. At most 11 characters, letters, digits and spaces, at least
           * one letter. Such a message cannot be answered: replies, confirmations, desk answers and
           * officials' notices always come from `number`, which citizens can write to.
           */
          senderId: Type.Optional(Type.String({ pattern: '^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$' })),
          messagesPerSecond: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)

/** Someone an emergency alert reaches by name: an official of the escalation chain, staff on duty. */
export const EmergencyContactSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    /** What they are, as the timeline shows it: `sindaco`, `responsabile protezione civile`. */
    role: Type.String({ minLength: 1 }),
    phone: E164Schema,
    /** The channel they are notified on (SMS by default: it needs no WhatsApp template window). */
    channel: Type.Union([Type.Literal('sms'), Type.Literal('whatsapp')], { default: 'sms' }),
    language: Type.Optional(LanguageSchema),
  },
  { additionalProperties: false },
)
export type EmergencyContact = Type.Static<typeof EmergencyContactSchema>

const literalsOf = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)))

/**
 * A ready-made alert a municipality launches in a few clicks from the console (CAP 1.2 values:
 * the same as `EmergencyMessage`). Texts per language; the first language of the tenant is required.
 */
export const AlertTemplateSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9-]+$' }),
    /** What staff read on the launch button, in Italian: `Allerta meteo arancione`. */
    label: Type.String({ minLength: 1, maxLength: 80 }),
    /** The CAP event: `Allerta meteo`, `Evacuazione`. */
    event: Type.String({ minLength: 1, maxLength: 120 }),
    severity: literalsOf(['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown']),
    urgency: literalsOf(['Immediate', 'Expected', 'Future', 'Past', 'Unknown']),
    certainty: literalsOf(['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown']),
    headline: Localized(Type.String({ minLength: 1, maxLength: 160 })),
    description: Localized(Type.String({ minLength: 1, maxLength: 1000 })),
    instruction: Type.Optional(Localized(Type.String({ minLength: 1, maxLength: 500 }))),
    link: Type.Optional(Type.String({ pattern: '^https://', maxLength: 500 })),
    area: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
)
export type AlertTemplate = Type.Static<typeof AlertTemplateSchema>

/**
 * A WhatsApp template Meta approved for the tenant's broadcasts, as the console offers it: the
 * body per language (with `{{1}}`, `{{2}}` placeholders) and what each parameter is for.
 */
export const WhatsappTemplateSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9_]{1,512}$' }),
    /** What staff read in the picker, in Italian. */
    label: Type.String({ minLength: 1, maxLength: 120 }),
    /** Meta's category of the template, which prices it (utility when absent). */
    category: Type.Optional(Type.Union([Type.Literal('marketing'), Type.Literal('utility'), Type.Literal('authentication')])),
    /** One label per body parameter, in order ({{1}}, {{2}}...). */
    parameters: Type.Array(Type.Object({ label: Type.String({ minLength: 1, maxLength: 120 }), example: Type.Optional(Type.String()) }, { additionalProperties: false }), { maxItems: 20 }),
    /** Per tenant language: Meta's language code and the approved body text. */
    languages: Localized(
      Type.Object({ code: Type.String({ minLength: 2, maxLength: 10 }), body: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
)
export type WhatsappTemplate = Type.Static<typeof WhatsappTemplateSchema>

/**
 * The tenant's alert zone in the DPC bulletin of hydrogeological and hydraulic criticality. The
 * published GeoJSON/TopoJSON name a zone by `Nome zona` (the zone code for zones their Region
 * never named, e.g. `Marc-2`) and list its `Comuni`: a feature is the tenant's when its name is
 * `zoneName` or `zone`, or when its municipalities include `municipality`.
 */
export const BulletinWatchSchema = Type.Object(
  {
    /** The zone code of the national alert system (`Lomb-09`, `Marc-2`, `Vall-B`). */
    zone: Type.String({ pattern: '^[A-Za-z]{4}-[A-Za-z0-9]{1,2}$' }),
    /** The zone's name as the bulletin's `Nome zona` gives it (`Nodo Idraulico di Milano`). */
    zoneName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** The municipality as the bulletin's `Comuni` lists it (`Corbetta`). */
    municipality: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
    /** The `alertTemplates` id the draft is filled from. */
    alertTemplate: Type.String({ pattern: '^[a-z0-9-]+$' }),
  },
  { additionalProperties: false },
)
export type BulletinWatch = Type.Static<typeof BulletinWatchSchema>

export const EmergencySettingsSchema = Type.Object(
  {
    /** Citizens whose WhatsApp alert has no delivered status after this long get it by SMS. */
    smsFallbackAfterSeconds: Type.Integer({ minimum: 1, maximum: 86_400, default: 300 }),
    /** How long each official has to acknowledge before the next one is notified. */
    acknowledgeWithinSeconds: Type.Integer({ minimum: 1, maximum: 86_400, default: 600 }),
    /** The escalation chain, in order (e.g. the mayor, the civil-protection lead, the police commander). */
    officials: Type.Array(EmergencyContactSchema, { default: [] }),
    /** Alerted when the chain is exhausted without an acknowledgement. */
    onDuty: Type.Array(EmergencyContactSchema, { default: [] }),
    /**
     * The approved WhatsApp template alerts go out with; its body takes {{1}} the headline and
     * {{2}} the text (with instruction and link). Per language: Meta's language code.
     */
    whatsappTemplate: Type.Optional(
      Type.Object(
        {
          name: Type.String({ pattern: '^[a-z0-9_]{1,512}$' }),
          languages: Localized(Type.String({ minLength: 2, maxLength: 10 })),
        },
        { additionalProperties: false },
      ),
    ),
    /**
     * The approved WhatsApp template an alert with a safety poll goes as: the same body as
     * `whatsappTemplate`, and two quick-reply buttons, in this order: "Sto bene", "Ho bisogno di
     * aiuto" (in each language). Absent: the poll goes as `whatsappTemplate` with the answers to
     * type written in its text.
     */
    pollTemplate: Type.Optional(
      Type.Object(
        {
          name: Type.String({ pattern: '^[a-z0-9_]{1,512}$' }),
          languages: Localized(Type.String({ minLength: 2, maxLength: 10 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Ready-made alerts the console launches in a few clicks. */
    alertTemplates: Type.Optional(Type.Array(AlertTemplateSchema)),
    /**
     * The Department of Civil Protection's daily criticality bulletin: when the tenant's alert
     * zone is orange or red, a draft from `alertTemplate` awaits the staff on duty (never sent
     * without a person).
     */
    bulletin: Type.Optional(BulletinWatchSchema),
  },
  { additionalProperties: false },
)
export type EmergencySettings = Type.Static<typeof EmergencySettingsSchema>

/**
 * A municipality's configuration, as data: one `tenants/<id>.json` file each, validated at load
 * by every service that reads it. Keywords and texts are per language; the first language is
 * the default.
 */
export const TenantSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    version: Type.Literal(1),
    id: TenantIdSchema,
    name: Type.String({ minLength: 1 }),
    languages: Type.Array(LanguageSchema, { minItems: 1 }),
    timezone: Type.String({ default: 'Europe/Rome' }),
    channels: TenantChannelsSchema,
    /**
     * `unidirectional`: citizens' other messages get an auto-reply pointing to the real contacts.
     * `desk`: inside office hours they go to the staff desk (Ancona's "URP su WhatsApp").
     */
    mode: Type.Union([Type.Literal('unidirectional'), Type.Literal('desk')]),
    /** How citizens sign up: keyword by SMS/WhatsApp, the web form (double opt-in), paper forms. */
    signup: Type.Object(
      {
        doors: Type.Array(Type.Union([Type.Literal('sms'), Type.Literal('whatsapp'), Type.Literal('web'), Type.Literal('paper')]), { minItems: 1 }),
        /** Whether the subscribe keyword carries the citizen's name (Calcinato: `ISCRIZIONE Nome Cognome`). */
        nameWithKeyword: Type.Boolean({ default: false }),
        /**
         * The channel broadcasts reach subscribers on, when not the one they signed up through
         * (Corbetta: `ADD WA` by SMS subscribes the number to WhatsApp).
         */
        channel: Type.Optional(Type.Union([Type.Literal('whatsapp'), Type.Literal('sms')])),
        /** Hours a form sign-up's confirmation request stays valid (double opt-in); 48 when absent. */
        confirmationValidityHours: Type.Optional(Type.Number({ minimum: 1, maximum: 720 })),
        /**
         * The approved WhatsApp template a form's confirmation request goes as when the tenant has
         * no SMS gateway (business-initiated: free text is refused). Body: {{1}} the confirm word,
         * {{2}} the hours it stays valid. Per language: Meta's language code.
         */
        whatsappConfirmationTemplate: Type.Optional(
          Type.Object(
            { name: Type.String({ pattern: '^[a-z0-9_]{1,512}$' }), languages: Localized(Type.String({ minLength: 2, maxLength: 10 })) },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    keywords: Type.Object(
      {
        subscribe: Localized(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
        unsubscribe: Localized(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
        /** Answers confirming a form sign-up (double opt-in), besides the subscribe keywords: `SI`, `OUI`. */
        confirm: Type.Optional(Localized(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }))),
        /** The word that starts a topic choice: `TEMI EVENTI INFO`. */
        topics: Type.Optional(Localized(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }))),
      },
      { additionalProperties: false },
    ),
    topics: Type.Array(
      Type.Object(
        {
          id: Type.String({ pattern: '^[a-z0-9-]+$' }),
          names: Localized(Type.String({ minLength: 1 })),
          /** Other words citizens may use for the topic in a topic choice (`INFO` for INFO COMUNE). */
          aliases: Type.Optional(Localized(Type.Array(Type.String({ minLength: 1 })))),
          /** Emergencies: every subscriber receives them, whatever they chose. */
          alwaysOn: Type.Boolean({ default: false }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
    /** Citizen-facing texts per language. Placeholders: {name}, {hours}, {contacts}, {topics}. */
    texts: Localized(Type.Record(Type.String(), Type.String())),
    /** The privacy notice citizens accept, per language; its hash is the consent's policy version. */
    privacyPolicy: Localized(Type.String({ minLength: 1 })),
    officeHours: Type.Optional(
      Type.Object(
        {
          /** Opening intervals per ISO weekday (1 = Monday), local time. */
          weekly: Type.Record(Type.String({ pattern: '^[1-7]$' }), Type.Array(Interval)),
          /** Closed days besides the national holidays (YYYY-MM-DD, or MM-DD every year). */
          closedDays: Type.Array(Type.String({ pattern: '^([0-9]{4}-)?[0-1][0-9]-[0-3][0-9]$' }), { default: [] }),
          /** Whether Italian national public holidays (and Easter Monday) close the desk. */
          nationalHolidays: Type.Boolean({ default: true }),
        },
        { additionalProperties: false },
      ),
    ),
    /** Where citizens are redirected for questions and reports. */
    contacts: Type.Object(
      {
        email: Type.Optional(Type.String()),
        phone: Type.Optional(Type.String()),
        reportsUrl: Type.Optional(Type.String()),
        website: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
    /** Domains citizens may link to without moderation flagging the link as off topic. */
    linkAllowList: Type.Array(Type.String(), { default: [] }),
    /** At most one auto-reply per sender per this many hours. */
    autoReplyIntervalHours: Type.Number({ minimum: 0, default: 24 }),
    /** Emergency alerts: SMS fallback, the escalation chain of officials, the staff on duty. */
    emergency: Type.Optional(EmergencySettingsSchema),
    /**
     * Prices the pre-flight plan estimates a broadcast's cost with, in euro: per delivered
     * WhatsApp message by template category, per SMS segment. Absent: no cost estimate.
     */
    rateCard: Type.Optional(
      Type.Object(
        {
          currency: Type.Literal('EUR'),
          whatsapp: Type.Optional(
            Type.Object(
              {
                marketing: Type.Number({ minimum: 0 }),
                utility: Type.Number({ minimum: 0 }),
                authentication: Type.Number({ minimum: 0 }),
                service: Type.Number({ minimum: 0 }),
              },
              { additionalProperties: false },
            ),
          ),
          smsSegment: Type.Optional(Type.Number({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** The WhatsApp templates approved for broadcasts, offered by the console's picker. */
    whatsappTemplates: Type.Optional(Type.Array(WhatsappTemplateSchema)),
    /** The ruleset overrides directory under rules/tenants/, when not the tenant id. */
    ruleset: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)
export type Tenant = Type.Static<typeof TenantSchema>
export const TenantContract = defineContract('Tenant', TenantSchema)
