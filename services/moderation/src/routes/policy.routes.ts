import { ChannelSchema, TenantIdSchema, type StaffRole } from '@banditore/contracts'
import { assertStaffRole, type createServiceServer, type StaffAuthenticator, type StaffPrincipal } from '@banditore/platform'
import Type, { type Static, type TSchema } from 'typebox'
import { Compile } from 'typebox/compile'

export type ServiceServer = ReturnType<typeof createServiceServer>
/** What the guard reads of a request. */
export interface StaffRequest {
  readonly params: unknown
  readonly headers: { readonly authorization?: string | undefined }
}
import type { CorpusEntry } from '../corpus/corpus-evaluator.js'
import { checkEdit, listRules, PolicyRequestError, ruleDetail, tryMessage } from '../policy/policy-bench.js'
import type { RulesetStore } from '../ruleset/ruleset-store.js'
import { compileValidator, type SchemaValidator } from '../ruleset/schema-issues.js'

/** Who may use the policy editors' bench: the tenant's policy editors and admins. */
export const POLICY_ROLES: readonly StaffRole[] = ['policy-editor', 'admin']

export interface PolicyRouteDeps {
  readonly store: RulesetStore
  readonly authenticator: StaffAuthenticator
  /** The dev split of the labelled corpus, read once on first use. */
  readonly corpus: () => Promise<readonly CorpusEntry[]>
}

const TryBodySchema = Type.Object(
  {
    text: Type.String({ maxLength: 4096 }),
    channel: Type.Optional(ChannelSchema),
    sentAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
)

export const CheckBodySchema = Type.Object(
  {
    /** The rule file, relative to rules/ (`tenants/ancona/inbound/insults.json`). */
    path: Type.String({ minLength: 1, maxLength: 300 }),
    /** The edited rule: its JSON text as typed, or the JSON value. */
    rule: Type.Unknown(),
    /** The edited cases file (text or value); absent: the cases in force. */
    cases: Type.Optional(Type.Unknown()),
    /** Also measure the edit on the labelled corpus (dev split); default true. */
    corpus: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

const bodies = { try: compileValidator(TryBodySchema), check: compileValidator(CheckBodySchema) }

function parse<S extends TSchema>(validator: SchemaValidator, _schema: S, value: unknown): Static<S> {
  return parseBody<S>(validator, value)
}

const tenantId = Compile(TenantIdSchema)

/** The caller, a policy editor or admin of the tenant named in the path (401, 403, then 404). */
export async function policyGuard(
  deps: Pick<PolicyRouteDeps, 'authenticator' | 'store'>,
  request: StaffRequest,
): Promise<{ tenant: string; principal: StaffPrincipal }> {
  const { tenant } = request.params as { tenant: string }
  const principal = await deps.authenticator.authenticate(request.headers.authorization)
  assertStaffRole(principal, tenant, POLICY_ROLES)
  if (!tenantId.Check(tenant) || !deps.store.current.profiles.has(tenant)) {
    throw new PolicyRequestError(404, 'TENANT_UNKNOWN', `Comune sconosciuto: ${tenant}`)
  }
  return { tenant, principal }
}

/** Parses a body against its schema; a bad one is a 400 naming each path and reason. */
export function parseBody<S extends TSchema>(validator: SchemaValidator, value: unknown): Static<S> {
  const issues = validator.issues(value, 'body')
  if (issues.length === 0) return value as Static<S>
  throw new PolicyRequestError(400, 'INVALID_BODY', `richiesta non valida: ${issues.map((i) => `${i.path || '/'} ${i.reason}`).join('; ')}`)
}

/**
 * The policy editors' bench (staff API, `Authorization: Bearer <access token or API token>`,
 * role policy-editor or admin of the tenant): the rules in force for a tenant, one rule with its
 * cases, a message tried against them, and an edited rule checked (validation, its cases, the
 * effect on the labelled corpus) without publishing.
 */
export function registerPolicyRoutes(app: ServiceServer, deps: PolicyRouteDeps): void {
  const guard = async (request: StaffRequest): Promise<string> => (await policyGuard(deps, request)).tenant

  app.get('/policy/:tenant/rules', async (request) => {
    const tenant = await guard(request)
    const ruleset = deps.store.current
    return { tenant, rulesetVersion: ruleset.version, rules: listRules(ruleset, tenant) }
  })

  app.get('/policy/:tenant/rules/:name', async (request) => {
    const tenant = await guard(request)
    const { name } = request.params as { name: string }
    const { direction } = request.query as { direction?: string }
    if (direction !== undefined && direction !== 'inbound' && direction !== 'outbound') {
      throw new PolicyRequestError(400, 'INVALID_DIRECTION', 'direction deve essere inbound o outbound')
    }
    const ruleset = deps.store.current
    return { rulesetVersion: ruleset.version, rule: ruleDetail(ruleset, tenant, name, direction) }
  })

  app.post('/policy/:tenant/try', async (request) => {
    const tenant = await guard(request)
    const body = parse(bodies.try, TryBodySchema, request.body ?? {})
    return await tryMessage(deps.store.current, tenant, body)
  })

  app.post('/policy/:tenant/check', async (request) => {
    const tenant = await guard(request)
    const body = parse(bodies.check, CheckBodySchema, request.body ?? {})
    const ruleset = deps.store.current
    const layer = /^tenants\/([^/]+)\//.exec(body.path)?.[1]
    if (layer !== undefined && layer !== ruleset.profiles.get(tenant).rulesetDir) {
      throw new PolicyRequestError(400, 'OTHER_TENANT_RULE', `${body.path} non è una regola del comune ${tenant}`)
    }
    const result = await checkEdit(ruleset, body, body.corpus === false ? {} : { corpus: await deps.corpus() })
    return { tenant, activeVersion: ruleset.version, ...result }
  })
}
