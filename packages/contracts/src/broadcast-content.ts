import Type from 'typebox'
import { LanguageSchema } from './tenant.js'

/**
 * What a broadcast says, per channel and language: the staff API's drafts and the workflow's
 * input share it.
 */

/** A WhatsApp template variant in one language: Meta approved the text, we fill its parameters. */
export const TemplateVariantSchema = Type.Object(
  {
    /** The template's language code at Meta (`it`, `fr`, `en_US`). */
    code: Type.String({ minLength: 2, maxLength: 10, description: "the template's language at Meta, e.g. it, fr, en_US" }),
    /** Body parameters {{1}}, {{2}}, ... in order. */
    bodyParameters: Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), { maxItems: 20, default: [] }),
  },
  { additionalProperties: false },
)

export const BroadcastContentSchema = Type.Object(
  {
    /** For WhatsApp subscribers: business-initiated messages must use an approved template. */
    whatsapp: Type.Optional(
      Type.Object(
        {
          templateName: Type.String({ pattern: '^[a-z0-9_]{1,512}$' }),
          variants: Type.Record(LanguageSchema, TemplateVariantSchema),
          /** The template's quick-reply buttons, in order: the payload each tap sends back (safety polls). */
          buttons: Type.Optional(Type.Array(Type.Object({ payload: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }), { maxItems: 10 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** For SMS subscribers: the text per language. */
    sms: Type.Optional(
      Type.Object({ texts: Type.Record(LanguageSchema, Type.String({ minLength: 1, maxLength: 1600 })) }, { additionalProperties: false }),
    ),
    /** A picture or document: the template's header on WhatsApp, an MMS attachment on SMS. */
    media: Type.Optional(
      Type.Object(
        {
          kind: Type.Union([Type.Literal('image'), Type.Literal('document')]),
          url: Type.String({ pattern: '^https://', maxLength: 2000 }),
          filename: Type.Optional(Type.String({ maxLength: 200 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
export type BroadcastContent = Type.Static<typeof BroadcastContentSchema>
