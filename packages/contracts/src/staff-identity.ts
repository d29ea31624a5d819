import Type from 'typebox'
import { TenantIdSchema } from './common.js'
import { defineContract } from './validate.js'

/**
 * One staff identity across the platform: people signed in at the municipality's OpenID
 * provider and API tokens (automation) carry the same grants, `{ tenant, role }`, and every staff
 * surface (broadcast, subscriptions, the console) accepts both.
 */

export const StaffRoles: readonly StaffRole[] = ['operator', 'approver', 'civil-protection', 'desk', 'privacy-officer', 'policy-editor', 'admin']

export const StaffRoleSchema = Type.Union(
  [
    Type.Literal('operator'),
    Type.Literal('approver'),
    Type.Literal('civil-protection'),
    Type.Literal('desk'),
    Type.Literal('privacy-officer'),
    Type.Literal('policy-editor'),
    Type.Literal('admin'),
  ],
  {
    description:
      "operator: drafts and sends broadcasts; approver: approves others' drafts; civil-protection: emergency alerts; " +
      'desk: answers the desk, blocks senders; privacy-officer: data subject export and erasure; policy-editor: moderation rules; ' +
      "admin: everything of the tenant, API tokens ('*': every tenant)",
  },
)
export type StaffRole = Type.Static<typeof StaffRoleSchema>

/** The tenant a grant applies to: a tenant id, or `*` (only with `admin`: a platform admin). */
export const GrantTenantSchema = Type.Union([TenantIdSchema, Type.Literal('*')])

export const StaffGrantSchema = Type.Object({ tenant: GrantTenantSchema, role: StaffRoleSchema }, { additionalProperties: false })
export type StaffGrant = Type.Static<typeof StaffGrantSchema>

/** Who is calling, as every staff API answers `GET /v1/me`. */
export const StaffPrincipalViewSchema = Type.Object(
  {
    subject: Type.String({ description: 'the IdP subject, or token:<id>' }),
    name: Type.String(),
    email: Type.Optional(Type.String()),
    via: Type.Union([Type.Literal('person'), Type.Literal('api-token')]),
    grants: Type.Array(StaffGrantSchema),
    /** What the audit trail records. */
    actor: Type.String(),
    /** The tenant the request acts for (X-Banditore-Tenant, or the only one); null: platform admin. */
    tenant: Type.Union([TenantIdSchema, Type.Null()]),
    /** The person's stable identity; four eyes compare it. */
    holder: Type.String(),
  },
  { additionalProperties: false },
)
export type StaffPrincipalView = Type.Static<typeof StaffPrincipalViewSchema>

/** `GET /v1/me`: the principal; for an API token also the token (its id, role, label, dates). */
export const StaffMeSchema = Type.Object(
  {
    ...StaffPrincipalViewSchema.properties,
    id: Type.Optional(Type.String()),
    role: Type.Optional(StaffRoleSchema),
    label: Type.Optional(Type.String()),
    createdAt: Type.Optional(Type.String({ format: 'date-time' })),
    revokedAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  },
  { additionalProperties: false },
)
export type StaffMe = Type.Static<typeof StaffMeSchema>

/** The request header naming the tenant a person with several tenants acts for. */
export const STAFF_TENANT_HEADER = 'x-banditore-tenant'

/**
 * API tokens every service verifies without reading the broadcast service's tables: broadcast
 * (their owner) mirrors each live token into this NATS KV bucket, key = SHA-256 hex of the
 * secret; revoking deletes the key, and at start broadcast reconciles the bucket with its table.
 */
export const StaffApiTokenKv = {
  bucket: 'staff-api-tokens',
} as const

export const StaffApiTokenEntrySchema = Type.Object(
  {
    id: Type.String(),
    /** null: a platform admin token. */
    tenant: Type.Union([TenantIdSchema, Type.Null()]),
    role: StaffRoleSchema,
    holder: Type.String(),
    label: Type.String(),
  },
  { additionalProperties: false },
)
export type StaffApiTokenEntry = Type.Static<typeof StaffApiTokenEntrySchema>
export const StaffApiTokenEntryContract = defineContract('staff.api-token', StaffApiTokenEntrySchema)
