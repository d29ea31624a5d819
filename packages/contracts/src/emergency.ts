import Type from 'typebox'
import { BroadcastContentSchema } from './broadcast-content.js'
import { BroadcastRunInputSchema } from './broadcast.js'
import { TenantIdSchema, TimestampSchema } from './common.js'
import { SafetyPollRunSchema, SafetyPollSettingsSchema, SafetyPollViewSchema } from './safety-poll.js'
import { EmergencyContactSchema, LanguageSchema } from './tenant.js'
import { defineContract } from './validate.js'

/**
 * Emergency alerts: the staff API (services/broadcast) creates and triggers them, from a form or
 * a CAP 1.2 document; the worker (workflows/) runs one `emergencyAlertWorkflow` each, on the
 * emergency task queue and the rate limiter's emergency lane.
 */

/** A union of string literals, typed as such. */
const literals = <const T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>(Type.Union(values.map((v) => Type.Literal(v))))

/** CAP 1.2 `severity`, `urgency` and `certainty`, as regional civil protection publishes them. */
export const CAP_SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const
export const CAP_URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const
export const CAP_CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const
export const EmergencySeveritySchema = literals(CAP_SEVERITIES)
export const EmergencyUrgencySchema = literals(CAP_URGENCIES)
export const EmergencyCertaintySchema = literals(CAP_CERTAINTIES)

/** `alert` a new one; `update` replaces the alert it follows; `cancel` is its all-clear (CAP msgType). */
export const EmergencyKindSchema = Type.Union([Type.Literal('alert'), Type.Literal('update'), Type.Literal('cancel')])
export type EmergencyKind = Type.Static<typeof EmergencyKindSchema>

const Localized = (maxLength?: number) => Type.Record(LanguageSchema, Type.String({ minLength: 1, ...(maxLength !== undefined ? { maxLength } : {}) }))

/** What citizens read, per language. */
export const EmergencyMessageSchema = Type.Object(
  {
    severity: EmergencySeveritySchema,
    urgency: EmergencyUrgencySchema,
    certainty: Type.Optional(EmergencyCertaintySchema),
    headline: Localized(160),
    /** Whole, however long (CAP sets no limit): the channels split it across messages. */
    description: Localized(),
    /** Whole, however long (CAP sets no limit): the channels split it across messages. */
    instruction: Type.Optional(Localized()),
    link: Type.Optional(Type.String({ pattern: '^https://', maxLength: 500 })),
    /** The area concerned, as the alert describes it (`Comune di Gressan, fondovalle`). */
    area: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
)
export type EmergencyMessage = Type.Static<typeof EmergencyMessageSchema>

export const EmergencyWorkflow = {
  type: 'emergencyAlertWorkflow',
  workflowId: (tenant: string, alertId: string) => `emergency:${tenant}:${alertId}`,
  signals: { acknowledge: 'acknowledge', close: 'close', remindPoll: 'remindPoll' },
  queries: { progress: 'progress' },
} as const

/** An official (or staff on their behalf) took charge of the alert. */
export const EmergencyAcknowledgementSchema = Type.Object(
  {
    by: Type.String({ minLength: 1, maxLength: 200 }),
    via: Type.Union([Type.Literal('reply'), Type.Literal('api')]),
    at: TimestampSchema,
  },
  { additionalProperties: false },
)
export type EmergencyAcknowledgement = Type.Static<typeof EmergencyAcknowledgementSchema>

/** Staff send the safety poll's reminder now, rather than at its delay. */
export const SafetyPollRemindSchema = Type.Object({ by: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false })
export type SafetyPollRemind = Type.Static<typeof SafetyPollRemindSchema>

/** An update or the all-clear that follows the alert: its pending fallback and escalation stop. */
export const EmergencyCloseSchema = Type.Object(
  { by: Type.String({ format: 'uuid' }), kind: Type.Union([Type.Literal('update'), Type.Literal('cancel')]) },
  { additionalProperties: false },
)
export type EmergencyClose = Type.Static<typeof EmergencyCloseSchema>

/** The workflow's input, frozen when the alert is triggered (tenant settings included). */
export const EmergencyRunInputSchema = Type.Object(
  {
    version: Type.Literal(1),
    alertId: Type.String({ format: 'uuid' }),
    tenant: TenantIdSchema,
    kind: EmergencyKindSchema,
    /** The alert an update or all-clear follows. */
    references: Type.Optional(Type.String({ format: 'uuid' })),
    /** Alerts this one closes: the one it follows and that one's earlier updates still running. */
    closes: Type.Optional(Type.Array(Type.String({ format: 'uuid' }))),
    /** The citizens' send: every subscriber (the tenant's always-on topics), emergency priority. */
    citizens: BroadcastRunInputSchema,
    /** The SMS text per language for citizens whose WhatsApp message is not delivered in time. */
    smsFallback: Type.Optional(Type.Record(LanguageSchema, Type.String({ minLength: 1, maxLength: 1600 }))),
    smsFallbackAfterSeconds: Type.Integer({ minimum: 1 }),
    /** The escalation: each official in turn until one acknowledges; then the staff on duty. */
    escalation: Type.Optional(
      Type.Object(
        {
          officials: Type.Array(EmergencyContactSchema),
          onDuty: Type.Array(EmergencyContactSchema),
          acknowledgeWithinSeconds: Type.Integer({ minimum: 1 }),
          /** The notice officials receive, per language (they answer it to acknowledge). */
          notice: Type.Record(LanguageSchema, Type.String({ minLength: 1, maxLength: 1600 })),
          /** What the staff on duty receive when nobody acknowledged. */
          exhaustedNotice: Type.Record(LanguageSchema, Type.String({ minLength: 1, maxLength: 1600 })),
          defaultLanguage: LanguageSchema,
          /** The template notices go as on WhatsApp (the alert's, without a poll's buttons); absent: the citizens'. */
          whatsapp: Type.Optional(BroadcastContentSchema.properties.whatsapp),
        },
        { additionalProperties: false },
      ),
    ),
    /** The safety poll the alert asks (its id is the alert's). */
    poll: Type.Optional(SafetyPollRunSchema),
  },
  { additionalProperties: false },
)
export type EmergencyRunInput = Type.Static<typeof EmergencyRunInputSchema>
export const EmergencyRunInputContract = defineContract('EmergencyRunInput', EmergencyRunInputSchema)

/** The answer to the `progress` query. */
export interface EmergencyProgress {
  alertId: string
  phase: 'sending' | 'escalating' | 'waiting-fallback' | 'closed'
  acknowledgement?: EmergencyAcknowledgement
  /** The official notified last (index in the chain); -1 before the first. */
  escalationStep: number
  closedBy?: EmergencyClose
}

export const TimelineKindSchema = literals(
  [
    'created',
    'triggered',
    'approval-skipped',
    'electoral-exemption',
    'citizens-sent',
    'sms-fallback',
    'official-notified',
    'acknowledged',
    'escalation-exhausted',
    'on-duty-alerted',
    'superseded',
    'follows',
    'poll-opened',
    'poll-help',
    'poll-reminder',
    'poll-closed',
    'closed',
  ] as const,
)
export type TimelineKind = Type.Static<typeof TimelineKindSchema>

export const TimelineEntrySchema = Type.Object(
  {
    at: TimestampSchema,
    kind: TimelineKindSchema,
    /** Who did it: a staff token's holder, an official's name, `system`. */
    actor: Type.String(),
    detail: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
)
export type TimelineEntry = Type.Static<typeof TimelineEntrySchema>

/** The staff API: a new alert, update or all-clear; with `trigger`, it is sent at once. */
export const EmergencyDraftBodySchema = Type.Object(
  {
    /** A platform admin names the tenant; a tenant's token acts for its own. */
    tenant: Type.Optional(TenantIdSchema),
    kind: Type.Optional(EmergencyKindSchema),
    /** The alert an update or all-clear follows. */
    references: Type.Optional(Type.String({ format: 'uuid' })),
    ...EmergencyMessageSchema.properties,
    /** Ask citizens "1 Sto bene / 2 Ho bisogno di aiuto" (alerts and updates, not all-clears). */
    poll: Type.Optional(SafetyPollSettingsSchema),
    trigger: Type.Optional(Type.Object({ reason: Type.String({ minLength: 3, maxLength: 500 }) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
)
export type EmergencyDraftBody = Type.Static<typeof EmergencyDraftBodySchema>

/** Emergencies skip four-eyes approval: whoever triggers says why, and it is recorded. */
export const EmergencyTriggerBodySchema = Type.Object(
  {
    reason: Type.String({ minLength: 3, maxLength: 500, description: 'why the four-eyes approval is skipped' }),
    /** Ask citizens how they are (a CAP or bulletin draft gets its poll here); replaces the draft's. */
    poll: Type.Optional(SafetyPollSettingsSchema),
  },
  { additionalProperties: false },
)

/** The CAP message a draft was made from. */
export const EmergencyCapOriginSchema = Type.Object({
  identifier: Type.String(),
  sender: Type.String(),
  sent: Type.String(),
  status: Type.String(),
  /** The alert's `<expires>` (the latest of the blocks used): after it, it is not sent. */
  expires: Type.Optional(Type.String()),
  /**
   * The document had no `<info>` in the tenant's languages: the issuer's text, to translate
   * (`POST /v1/emergencies/{id}/translation`). Until then the draft cannot be sent.
   */
  translation: Type.Optional(
    Type.Object({
      from: Type.String(),
      into: Type.Array(LanguageSchema),
      headline: Type.String(),
      description: Type.String(),
      instruction: Type.Optional(Type.String()),
      translatedBy: Type.Optional(Type.String()),
    }),
  ),
})

export type EmergencyCapOrigin = Type.Static<typeof EmergencyCapOriginSchema>

/** Staff's translation of a CAP draft that came in another language. */
export const EmergencyTranslationBodySchema = Type.Object(
  {
    headline: EmergencyMessageSchema.properties.headline,
    description: EmergencyMessageSchema.properties.description,
    instruction: Type.Optional(Localized()),
  },
  { additionalProperties: false },
)
export type EmergencyTranslationBody = Type.Static<typeof EmergencyTranslationBodySchema>

/** Where a draft came from: staff (`manual`), a CAP document, the DPC criticality bulletin. */
export const EmergencySourceSchema = Type.Union([Type.Literal('manual'), Type.Literal('cap'), Type.Literal('bulletin')])
export type EmergencySource = Type.Static<typeof EmergencySourceSchema>

/** The bulletin reading a draft was made from: which bulletin, for which day, zone and colour. */
export const BulletinOriginSchema = Type.Object(
  {
    /** The bulletin's stamp as the DPC files name it: `20261207_1530` (issued 7/12/2026 15:30). */
    bulletinId: Type.String(),
    /** As published: `Bollettino del 07 dicembre 2026 ore 15:30`. */
    bulletinName: Type.String(),
    /** The day the reading is valid for (YYYY-MM-DD, Rome). */
    day: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }),
    zone: Type.String(),
    colour: Type.Union([Type.Literal('orange'), Type.Literal('red')]),
    /** What the bulletin says for the zone (`Moderata per rischio idrogeologico / ALLERTA ARANCIONE`). */
    criticality: Type.String(),
  },
  { additionalProperties: false },
)
export type BulletinOrigin = Type.Static<typeof BulletinOriginSchema>

const ChannelCountsSchema = Type.Object({ sent: Type.Integer(), delivered: Type.Integer(), failed: Type.Integer() }, { additionalProperties: false })

export const EmergencyViewSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    tenant: TenantIdSchema,
    kind: EmergencyKindSchema,
    references: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    status: Type.Union([Type.Literal('draft'), Type.Literal('active'), Type.Literal('closed')]),
    message: EmergencyMessageSchema,
    source: EmergencySourceSchema,
    cap: Type.Union([EmergencyCapOriginSchema, Type.Null()]),
    /** The DPC bulletin reading a `bulletin` draft was made from. */
    bulletin: Type.Union([BulletinOriginSchema, Type.Null()]),
    createdBy: Type.String(),
    createdAt: TimestampSchema,
    triggeredBy: Type.Union([Type.String(), Type.Null()]),
    triggeredAt: Type.Union([TimestampSchema, Type.Null()]),
    approvalSkipReason: Type.Union([Type.String(), Type.Null()]),
    acknowledgedBy: Type.Union([Type.String(), Type.Null()]),
    acknowledgedAt: Type.Union([TimestampSchema, Type.Null()]),
    /** Citizens reached, per channel (SMS includes the fallback). */
    messages: Type.Object({ whatsapp: ChannelCountsSchema, sms: ChannelCountsSchema }, { additionalProperties: false }),
    /** The safety poll the alert asks, with its live count; null when it asks none. */
    poll: Type.Union([SafetyPollViewSchema, Type.Null()]),
    /** Follow-ups (updates, all-clear) of this alert, oldest first. */
    followUps: Type.Array(Type.Object({ id: Type.String({ format: 'uuid' }), kind: EmergencyKindSchema, status: Type.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
)
export type EmergencyView = Type.Static<typeof EmergencyViewSchema>
