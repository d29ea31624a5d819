import Type from 'typebox'
import { Compile } from 'typebox/compile'

const Provider = Type.Union([Type.Literal('whatsapp-cloud'), Type.Literal('sms-gateway')])

/**
 * One fault. Matches sends by provider, sender (phone_number_id or SMS From) and recipient;
 * applies to a `rate` share of matching sends (default all), at most `count` times.
 * - error: answer with the provider's error for `errorCode` (its real HTTP status and body).
 * - latency: add `latencyMs` before answering (combines with the others).
 * - timeout: hold the request `holdMs` (default: until the client gives up), then drop it.
 * - accept-then-timeout: accept and record the message (statuses follow), but never answer:
 *   the ambiguous send the send ledger must reconcile.
 * - fail-delivery: accept, then post a failed status with `errorCode` (131026, 30003...).
 */
export const FaultRuleSchema = Type.Object(
  {
    action: Type.Union([
      Type.Literal('error'),
      Type.Literal('latency'),
      Type.Literal('timeout'),
      Type.Literal('accept-then-timeout'),
      Type.Literal('fail-delivery'),
    ]),
    provider: Type.Optional(Provider),
    sender: Type.Optional(Type.String()),
    /** Recipient, E.164. */
    to: Type.Optional(Type.String()),
    rate: Type.Number({ minimum: 0, maximum: 1, default: 1 }),
    count: Type.Optional(Type.Integer({ minimum: 1 })),
    errorCode: Type.Optional(Type.Integer()),
    /** Overrides the status the provider uses for `errorCode`. */
    httpStatus: Type.Optional(Type.Integer({ minimum: 400, maximum: 599 })),
    latencyMs: Type.Optional(Type.Integer({ minimum: 0 })),
    holdMs: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
)
export type FaultRule = Type.Static<typeof FaultRuleSchema>

export const FaultPlanSchema = Type.Object(
  {
    rules: Type.Array(FaultRuleSchema, { default: [] }),
    /** Status callbacks: share dropped (never posted), and extra delay before posting, ms. */
    statusCallbacks: Type.Optional(
      Type.Object(
        {
          dropRate: Type.Number({ minimum: 0, maximum: 1, default: 0 }),
          delayMs: Type.Integer({ minimum: 0, default: 0 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
export type FaultPlan = Type.Static<typeof FaultPlanSchema>
/** A plan as callers write it: `rate` defaults to 1, `rules` to none. */
export type FaultPlanInput = {
  rules?: Array<Omit<FaultRule, 'rate'> & { rate?: number }>
  statusCallbacks?: { dropRate?: number; delayMs?: number }
}

const planValidator = Compile(FaultPlanSchema)

export class InvalidFaultPlanError extends Error {
  readonly code = 'INVALID_FAULT_PLAN'
  constructor(readonly issues: ReadonlyArray<{ path: string; message: string }>) {
    super(`fault plan: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`)
    this.name = 'InvalidFaultPlanError'
  }
}

/** Fills defaults, validates. Throws InvalidFaultPlanError. */
export function resolveFaultPlan(input: unknown): FaultPlan {
  const raw = (input ?? {}) as FaultPlanInput
  const candidate = {
    ...raw,
    rules: Array.isArray(raw.rules) ? raw.rules.map((r) => ({ rate: 1, ...r })) : (raw.rules ?? []),
    ...(raw.statusCallbacks && typeof raw.statusCallbacks === 'object'
      ? { statusCallbacks: { dropRate: 0, delayMs: 0, ...raw.statusCallbacks } }
      : {}),
  }
  if (!planValidator.Check(candidate)) {
    throw new InvalidFaultPlanError(planValidator.Errors(candidate).map((e) => ({ path: e.instancePath, message: e.message })))
  }
  const missingCode = candidate.rules.findIndex(
    (r) => (r.action === 'error' || r.action === 'fail-delivery') && r.errorCode === undefined,
  )
  if (missingCode >= 0) throw new InvalidFaultPlanError([{ path: `/rules/${missingCode}/errorCode`, message: 'is required for this action' }])
  return candidate
}

/** What the simulator does with one send. */
export interface FaultDecision {
  readonly latencyMs: number
  readonly outcome:
    | { readonly type: 'none' }
    | { readonly type: 'error'; readonly errorCode: number; readonly httpStatus?: number }
    | { readonly type: 'timeout'; readonly holdMs?: number }
    | { readonly type: 'accept-then-timeout'; readonly holdMs?: number }
    | { readonly type: 'fail-delivery'; readonly errorCode: number }
}

const NO_FAULT: FaultDecision = { latencyMs: 0, outcome: { type: 'none' } }

/** mulberry32: small, fast, seedable; faults repeat run to run with the same seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The active fault plan and its dice. */
export class FaultInjector {
  private plan: FaultPlan = { rules: [] }
  private applied: number[] = []
  private readonly random: () => number

  constructor(seed: number, initial?: unknown) {
    this.random = seededRandom(seed)
    if (initial) this.set(initial)
  }

  set(input: unknown): FaultPlan {
    this.plan = resolveFaultPlan(input)
    this.applied = this.plan.rules.map(() => 0)
    return this.plan
  }

  get(): FaultPlan & { applied: readonly number[] } {
    return { ...this.plan, applied: [...this.applied] }
  }

  reset() {
    this.set({})
  }

  /** Decides the fate of one send. Cheap when no rule is set. */
  decide(send: { provider: 'whatsapp-cloud' | 'sms-gateway'; sender: string; to: string }): FaultDecision {
    if (this.plan.rules.length === 0) return NO_FAULT
    let latencyMs = 0
    let outcome: FaultDecision['outcome'] = { type: 'none' }
    this.plan.rules.forEach((rule, index) => {
      if (rule.provider && rule.provider !== send.provider) return
      if (rule.sender && rule.sender !== send.sender) return
      if (rule.to && rule.to !== send.to) return
      if (rule.count !== undefined && (this.applied[index] ?? 0) >= rule.count) return
      if (rule.action !== 'latency' && outcome.type !== 'none') return
      if (rule.rate < 1 && this.random() >= rule.rate) return
      this.applied[index] = (this.applied[index] ?? 0) + 1
      switch (rule.action) {
        case 'latency':
          latencyMs += rule.latencyMs ?? 0
          break
        case 'error':
          outcome = { type: 'error', errorCode: rule.errorCode ?? 0, ...(rule.httpStatus ? { httpStatus: rule.httpStatus } : {}) }
          break
        case 'fail-delivery':
          outcome = { type: 'fail-delivery', errorCode: rule.errorCode ?? 0 }
          break
        default:
          outcome = { type: rule.action, ...(rule.holdMs !== undefined ? { holdMs: rule.holdMs } : {}) }
      }
    })
    return { latencyMs, outcome }
  }

  /** Whether to drop one status callback, and how long to delay it. */
  statusCallback(): { drop: boolean; delayMs: number } {
    const faults = this.plan.statusCallbacks
    if (!faults) return { drop: false, delayMs: 0 }
    return { drop: faults.dropRate > 0 && this.random() < faults.dropRate, delayMs: faults.delayMs }
  }
}
