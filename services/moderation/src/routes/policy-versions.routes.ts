import type { StaffPrincipal } from '@banditore/platform'
import Type from 'typebox'
import { PolicyRequestError } from '../policy/policy-bench.js'
import type { PolicyPublisher, PublishContext } from '../policy/policy-publisher.js'
import { PublishConflictError } from '../policy/ruleset-version-log.js'
import { generatedSchemaFiles } from '../ruleset/rule-file-schema.js'
import { compileValidator } from '../ruleset/schema-issues.js'
import { CheckBodySchema, parseBody, policyGuard, type PolicyRouteDeps, type ServiceServer } from './policy.routes.js'

export interface PolicyVersionRouteDeps extends Pick<PolicyRouteDeps, 'authenticator' | 'store'> {
  /** Undefined when this instance does not follow the rulesets bucket (RULESET_SOURCE is not kv). */
  readonly publisher: PolicyPublisher | undefined
}

const PublishBodySchema = Type.Omit(CheckBodySchema, ['corpus'])
const publishBody = compileValidator(PublishBodySchema)

/** The JSON Schemas an editor completes and checks against, generated from code. */
const SCHEMAS: Record<string, string> = { rule: 'rule.schema.json', cases: 'cases.schema.json' }

async function conflictsAsProblems<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof PublishConflictError) throw new PolicyRequestError(409, error.code, error.message)
    throw error
  }
}

/**
 * Publishing from the bench (policy editors and admins of the tenant): the rule schema for the
 * editor, publish an edited rule, the versions with author, time and diff, and rollback to one
 * of them as a new version. A refused publish is a 422 problem naming file, JSON path and reason
 * (`errors`: the issues or the failing cases); the rules in force stay.
 */
export function registerPolicyVersionRoutes(app: ServiceServer, deps: PolicyVersionRouteDeps): void {
  const contextOf = (tenant: string, principal: StaffPrincipal): PublishContext => {
    const layer = `tenants/${deps.store.current.profiles.get(tenant).rulesetDir}/`
    const shared = principal.isPlatformAdmin()
    return { tenant, author: principal.actor, inScope: (path) => path.startsWith(layer) || (shared && path.startsWith('default/')) }
  }
  const publisherOf = (): PolicyPublisher => {
    if (deps.publisher) return deps.publisher
    throw new PolicyRequestError(
      409,
      'PUBLISH_UNAVAILABLE',
      'Questo servizio di moderazione non segue il bucket delle regole (RULESET_SOURCE non è kv): non si può pubblicare da qui.',
    )
  }

  app.get('/policy/:tenant/schema/:kind', async (request, reply) => {
    await policyGuard(deps, request)
    const file = SCHEMAS[(request.params as { kind: string }).kind]
    if (!file) throw new PolicyRequestError(404, 'SCHEMA_UNKNOWN', 'Schemi disponibili: rule, cases')
    return reply.type('application/schema+json').send(generatedSchemaFiles().get(file))
  })

  app.post('/policy/:tenant/publish', async (request, reply) => {
    const { tenant, principal } = await policyGuard(deps, request)
    const body = parseBody<typeof PublishBodySchema>(publishBody, request.body ?? {})
    const outcome = await conflictsAsProblems(() => publisherOf().publishEdit(contextOf(tenant, principal), body))
    request.log.info({ tenant, seq: outcome.version.seq, rulesetVersion: outcome.version.rulesetVersion, author: principal.actor, files: outcome.version.changedFiles }, 'ruleset published from the bench')
    return reply.status(201).send({ tenant, ...outcome })
  })

  app.get('/policy/:tenant/versions', async (request) => {
    const { tenant, principal } = await policyGuard(deps, request)
    const publisher = deps.publisher
    return {
      tenant,
      activeVersion: deps.store.current.version,
      publishing: publisher !== undefined,
      versions: publisher ? await publisher.versions(contextOf(tenant, principal)) : [],
    }
  })

  app.post('/policy/:tenant/versions/:seq/rollback', async (request, reply) => {
    const { tenant, principal } = await policyGuard(deps, request)
    const seq = Number((request.params as { seq: string }).seq)
    if (!Number.isSafeInteger(seq) || seq < 1) throw new PolicyRequestError(400, 'INVALID_VERSION', 'la versione è un numero intero da 1 in su')
    const outcome = await conflictsAsProblems(() => publisherOf().rollback(contextOf(tenant, principal), seq))
    request.log.info({ tenant, seq: outcome.version.seq, rollbackOf: seq, author: principal.actor }, 'ruleset rolled back from the bench')
    return reply.status(201).send({ tenant, ...outcome })
  })
}
