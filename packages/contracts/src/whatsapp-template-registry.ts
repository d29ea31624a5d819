import Type from 'typebox'
import { TenantIdSchema, TimestampSchema } from './common.js'
import { LanguageSchema, WhatsappTemplateSchema } from './tenant.js'

/*
 * The WhatsApp template registry: each tenant's templates as its business account holds them at
 * Meta (review status, category, quality rating), synced by the broadcast service. A broadcast may
 * only use an APPROVED template whose parameters it fills.
 */

/** Meta's review states (APPROVED is the only one that sends); Meta adds states now and then. */
export const TemplateStatusSchema = Type.String({ examples: ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED'] })
export const TemplateCategorySchema = Type.String({ examples: ['UTILITY', 'MARKETING', 'AUTHENTICATION'] })
export const TemplateQualitySchema = Type.Union([Type.Literal('GREEN'), Type.Literal('YELLOW'), Type.Literal('RED'), Type.Literal('UNKNOWN')])

/** One translation of a template in the registry. */
export const TemplateRegistryEntrySchema = Type.Object(
  {
    name: Type.String(),
    /** Meta's language code (`it`, `en_US`). */
    language: Type.String(),
    status: TemplateStatusSchema,
    category: TemplateCategorySchema,
    qualityRating: TemplateQualitySchema,
    /** The approved body, with `{{1}}` placeholders. */
    body: Type.String(),
    parameterCount: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
)
export type TemplateRegistryEntry = Type.Static<typeof TemplateRegistryEntrySchema>

/** Where the tenant's registry stands. */
export const TemplateRegistrySyncSchema = Type.Object(
  {
    /** `synced`: read from Meta at least once; `never-synced`: not yet (the tenant file is all there is); `not-configured`: no business account id. */
    state: Type.Union([Type.Literal('synced'), Type.Literal('never-synced'), Type.Literal('not-configured')]),
    /** The last successful read: the snapshot's age. */
    syncedAt: Type.Union([TimestampSchema, Type.Null()]),
    /** The last attempt, successful or not. */
    attemptedAt: Type.Union([TimestampSchema, Type.Null()]),
    /** Why the last attempt failed (the previous snapshot is kept); null when it succeeded. */
    lastError: Type.Union([Type.String(), Type.Null()]),
    /** What staff read, in Italian. */
    message: Type.String(),
  },
  { additionalProperties: false },
)
export type TemplateRegistrySync = Type.Static<typeof TemplateRegistrySyncSchema>

/** `GET /v1/whatsapp-templates`: the tenant's registry. */
export const TemplateRegistryViewSchema = Type.Object(
  {
    tenant: TenantIdSchema,
    sync: TemplateRegistrySyncSchema,
    templates: Type.Array(
      Type.Object(
        {
          ...TemplateRegistryEntrySchema.properties,
          /** In the tenant file's `whatsappTemplates` (offered by the console's picker). */
          configured: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
export type TemplateRegistryView = Type.Static<typeof TemplateRegistryViewSchema>

/** A template of the tenant file as the registry knows it (absent when the registry never synced). */
export const ComposeTemplateRegistrySchema = Type.Object(
  {
    /** APPROVED when every translation is; else the first other state (`MISSING`: not at Meta). */
    status: Type.String(),
    category: Type.Union([TemplateCategorySchema, Type.Null()]),
    /** The lowest rating of its translations. */
    qualityRating: TemplateQualitySchema,
    /** Every translation approved, with the parameters the tenant file labels. */
    usable: Type.Boolean(),
    languages: Type.Record(
      LanguageSchema,
      Type.Object(
        { code: Type.String(), status: Type.String(), qualityRating: TemplateQualitySchema, parameterCount: Type.Union([Type.Integer(), Type.Null()]) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)

export const ComposeTemplateSchema = Type.Object(
  { ...WhatsappTemplateSchema.properties, registry: Type.Optional(ComposeTemplateRegistrySchema) },
  { additionalProperties: false },
)
export type ComposeTemplate = Type.Static<typeof ComposeTemplateSchema>

/** `POST /v1/whatsapp-templates/sync`: each tenant's outcome. */
export const TemplateSyncResultSchema = Type.Object(
  {
    results: Type.Array(
      Type.Object(
        { tenant: TenantIdSchema, ok: Type.Boolean(), templates: Type.Integer({ minimum: 0 }), error: Type.Union([Type.String(), Type.Null()]) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
export type TemplateSyncResult = Type.Static<typeof TemplateSyncResultSchema>
