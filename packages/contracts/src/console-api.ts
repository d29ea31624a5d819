import Type from 'typebox'
import { BroadcastViewSchema, OutboundCheckViewSchema } from './broadcast-api.js'
import { BroadcastContentSchema } from './broadcast-content.js'
import { TenantIdSchema, TimestampSchema } from './common.js'
import { BulletinOriginSchema, EmergencyKindSchema, EmergencySeveritySchema, EmergencySourceSchema } from './emergency.js'
import { AlertTemplateSchema, LanguageSchema } from './tenant.js'
import { ComposeTemplateSchema, TemplateRegistryEntrySchema, TemplateRegistrySyncSchema } from './whatsapp-template-registry.js'

/**
 * What the staff console reads from the broadcast service besides the broadcast and emergency
 * resources: the dashboard, a draft's dry run, rejections, the emergency list and the templates.
 */

const Count = Type.Integer({ minimum: 0 })

/** An approver sends a draft back to its author; the reason goes to the audit trail. */
export const RejectBodySchema = Type.Object(
  { reason: Type.String({ minLength: 3, maxLength: 1000, description: 'why the draft is sent back; its author reads it' }) },
  { additionalProperties: false },
)
export type RejectBody = Type.Static<typeof RejectBodySchema>

/** Subscribers counted per channel and language (and both). */
export const AudienceCountSchema = Type.Object(
  {
    total: Count,
    byChannel: Type.Object({ whatsapp: Count, sms: Count }, { additionalProperties: false }),
    byLanguage: Type.Record(LanguageSchema, Count),
    /** `whatsapp:it` → n. */
    byChannelAndLanguage: Type.Record(Type.String(), Count),
  },
  { additionalProperties: false },
)
export type AudienceCount = Type.Static<typeof AudienceCountSchema>

/** A dry run of a draft: nothing is stored. Title optional: the editor may not have one yet. */
export const BroadcastPreviewBodySchema = Type.Object(
  {
    title: Type.Optional(Type.String({ maxLength: 200 })),
    topics: Type.Array(Type.String({ pattern: '^[a-z0-9-]+$' }), { minItems: 1, uniqueItems: true }),
    languages: Type.Optional(Type.Array(LanguageSchema, { minItems: 1, uniqueItems: true })),
    ...BroadcastContentSchema.properties,
  },
  { additionalProperties: false },
)
export type BroadcastPreviewBody = Type.Static<typeof BroadcastPreviewBodySchema>

const ChannelDurationSchema = Type.Object(
  {
    recipients: Count,
    /** The number's cap (the tenant's messages per second on that channel). */
    messagesPerSecond: Type.Integer({ minimum: 1 }),
    seconds: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
)

export const BroadcastPreviewSchema = Type.Object(
  {
    audience: AudienceCountSchema,
    /** null: nothing to check yet (no text and no parameters). */
    outboundCheck: Type.Union([OutboundCheckViewSchema, Type.Null()]),
    /** How long the send takes at each number's cap; the channels run side by side. */
    duration: Type.Object(
      {
        whatsapp: Type.Optional(ChannelDurationSchema),
        sms: Type.Optional(ChannelDurationSchema),
        seconds: Type.Number({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)
export type BroadcastPreview = Type.Static<typeof BroadcastPreviewSchema>

/** One line of the emergency list. */
export const EmergencySummarySchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    kind: EmergencyKindSchema,
    status: Type.Union([Type.Literal('draft'), Type.Literal('active'), Type.Literal('closed')]),
    references: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    severity: EmergencySeveritySchema,
    /** In the tenant's first language. */
    headline: Type.String(),
    source: EmergencySourceSchema,
    /** A draft from the DPC bulletin: which reading. */
    bulletin: Type.Optional(BulletinOriginSchema),
    createdAt: TimestampSchema,
    triggeredAt: Type.Union([TimestampSchema, Type.Null()]),
    acknowledgedBy: Type.Union([Type.String(), Type.Null()]),
    acknowledgedAt: Type.Union([TimestampSchema, Type.Null()]),
  },
  { additionalProperties: false },
)
export type EmergencySummary = Type.Static<typeof EmergencySummarySchema>

export const EmergencyListSchema = Type.Object({ emergencies: Type.Array(EmergencySummarySchema) }, { additionalProperties: false })

/** The dashboard of one tenant. */
export const OverviewSchema = Type.Object(
  {
    tenant: TenantIdSchema,
    /** null: the subscriptions service did not answer in time (the rest is still shown). */
    subscribers: Type.Union([
      Type.Object({ ...AudienceCountSchema.properties, byTopic: Type.Record(Type.String(), Count) }, { additionalProperties: false }),
      Type.Null(),
    ]),
    broadcasts: Type.Object(
      {
        recent: Type.Array(BroadcastViewSchema),
        /** Broadcasts waiting for an approver. */
        awaitingApproval: Count,
      },
      { additionalProperties: false },
    ),
    emergencies: Type.Object({ open: Type.Array(EmergencySummarySchema) }, { additionalProperties: false }),
  },
  { additionalProperties: false },
)
export type Overview = Type.Static<typeof OverviewSchema>

export const AlertTemplateListSchema = Type.Object(
  {
    /** The tenant's languages, the first the default. */
    languages: Type.Array(LanguageSchema),
    templates: Type.Array(AlertTemplateSchema),
  },
  { additionalProperties: false },
)

/** What the compose screen offers: the tenant's languages, topics, channels and WhatsApp templates. */
export const ComposeOptionsSchema = Type.Object(
  {
    /** The first is the default. */
    languages: Type.Array(LanguageSchema),
    topics: Type.Array(
      Type.Object({ id: Type.String(), name: Type.String({ description: 'in the first language' }), alwaysOn: Type.Boolean() }, { additionalProperties: false }),
    ),
    channels: Type.Object(
      {
        whatsapp: Type.Optional(Type.Object({ messagesPerSecond: Type.Integer() }, { additionalProperties: false })),
        sms: Type.Optional(Type.Object({ messagesPerSecond: Type.Integer() }, { additionalProperties: false })),
      },
      { additionalProperties: false },
    ),
    /** The tenant file's templates, each with the registry's status, category and quality when it has synced. */
    templates: Type.Array(ComposeTemplateSchema),
    /** The registry's state: when it was last read from Meta (absent: a service without a registry). */
    templateRegistry: Type.Optional(TemplateRegistrySyncSchema),
    /** Templates Meta holds for the account that the tenant file does not offer (not usable from the console). */
    unconfiguredTemplates: Type.Optional(Type.Array(TemplateRegistryEntrySchema)),
  },
  { additionalProperties: false },
)
export type ComposeOptions = Type.Static<typeof ComposeOptionsSchema>

/** Acknowledging an alert on an official's behalf (they phoned in, say): who, and why it was done for them. */
export const AcknowledgeBodySchema = Type.Object(
  {
    onBehalfOf: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "the official's name, as the escalation chain names them; without it the caller takes charge" }),
    ),
    reason: Type.Optional(Type.String({ minLength: 3, maxLength: 500, description: 'required with onBehalfOf' })),
  },
  { additionalProperties: false, description: 'Optional: a bare POST means the caller takes charge themselves.' },
)
