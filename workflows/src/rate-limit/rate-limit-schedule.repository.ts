import { type SendPriority } from '@banditore/providers'
import { sql, type Kysely } from 'kysely'
import type { WorkerDatabase } from '../worker-database.js'

/**
 * A lease on a sender's shared schedule: `granted` consecutive send slots, the first at
 * `startAtMs`, one every `intervalMs`. Times are PostgreSQL's clock (epoch ms), as is `nowMs`,
 * the moment the lease was decided. When nothing is granted, ask again in `retryInMs`.
 */
export interface SlotLease {
  granted: number
  startAtMs: number
  nowMs: number
  intervalMs: number
  retryInMs: number
}

export interface LeaseRequest {
  senderKey: string
  /** The sender's pace in messages per second (its tier, less headroom). */
  ratePerSecond: number
  requested: number
  priority: SendPriority
  /** How far ahead of now a lease may start: bounds how long an emergency can wait. */
  horizonMs: number
  /**
   * The earliest a slot may be after the lease is decided, ms: the time for the answer to reach
   * the worker and its first send the transport. A slot at the database's "now" is already past
   * when the worker can use it, so an idle sender's lease would be wasted, late, every time.
   */
  leadMs: number
  /** An emergency lease keeps routine leases out for this long. */
  emergencyHoldMs: number
}

/** Throttling lowers the rate by this factor; it then recovers by RECOVERY_PER_SECOND. */
const THROTTLE_FACTOR = 0.85
const MIN_FACTOR = 0.2
const RECOVERY_PER_SECOND = 0.05

/** PostgreSQL's clock, epoch ms: the schedule's time base, which workers align to. */
export async function databaseClock(db: Kysely<WorkerDatabase>): Promise<number> {
  const { rows } = await sql<{ now_ms: number }>`select (extract(epoch from clock_timestamp()) * 1000)::float8 as now_ms`.execute(db)
  return rows[0]?.now_ms ?? Date.now()
}

/** Creates the sender's row if missing (first use of a number); cheap and idempotent. */
export async function ensureSenderSchedule(db: Kysely<WorkerDatabase>, senderKey: string, ratePerSecond: number): Promise<void> {
  await sql`
    insert into worker.sender_rate_limit (sender_key, rate_per_second, next_free_at)
    values (${senderKey}, ${ratePerSecond}, clock_timestamp())
    on conflict (sender_key) do nothing
  `.execute(db)
}

/**
 * Reserves the next slots of a sender's schedule (GCRA: `next_free_at` is the theoretical time
 * the next message may go). Slots never overlap, whichever worker holds them, so all workers
 * together send at most `ratePerSecond` × factor. One short row-locked statement per lease.
 */
export async function leaseSlots(db: Kysely<WorkerDatabase>, request: LeaseRequest): Promise<SlotLease> {
  const { rows } = await sql<{ granted: number; start_at_ms: number; now_ms: number; interval_ms: number; retry_in_ms: number }>`
    with cur as (
      select s.sender_key, clock_timestamp() as now, s.next_free_at, s.emergency_until,
        least(1.0, s.rate_factor + ${RECOVERY_PER_SECOND} * coalesce(extract(epoch from clock_timestamp() - s.throttled_at), 1e9)) as factor
      from worker.sender_rate_limit s where s.sender_key = ${request.senderKey} for update
    ), plan as (
      select cur.*, ${request.ratePerSecond}::float8 * cur.factor as rate, greatest(cur.next_free_at, cur.now + make_interval(secs => ${request.leadMs / 1000})) as start,
        (${request.priority} = 'routine' and cur.emergency_until > cur.now) as blocked
      from cur
    ), decision as (
      select plan.*,
        case when plan.blocked or plan.start > plan.now + make_interval(secs => ${request.horizonMs / 1000}) then 0
             else ${request.requested}::int end as granted
      from plan
    )
    update worker.sender_rate_limit s set
      next_free_at = case when d.granted > 0 then d.start + make_interval(secs => d.granted / d.rate) else s.next_free_at end,
      rate_per_second = ${request.ratePerSecond},
      emergency_until = case when ${request.priority} = 'emergency'
        then greatest(coalesce(s.emergency_until, d.now), d.start + make_interval(secs => ${request.emergencyHoldMs / 1000}))
        else s.emergency_until end,
      updated_at = d.now
    from decision d where s.sender_key = d.sender_key
    returning d.granted,
      (extract(epoch from d.start) * 1000)::float8 as start_at_ms,
      (extract(epoch from d.now) * 1000)::float8 as now_ms,
      (1000 / d.rate)::float8 as interval_ms,
      case when d.granted > 0 then 0
           when d.blocked then least(250, extract(epoch from d.emergency_until - d.now) * 1000)
           else extract(epoch from d.start - d.now) * 1000 - ${request.horizonMs} end::float8 as retry_in_ms
  `.execute(db)
  const row = rows[0]
  if (!row) return { granted: 0, startAtMs: 0, nowMs: 0, intervalMs: 1000 / request.ratePerSecond, retryInMs: 50 }
  return {
    granted: row.granted,
    startAtMs: row.start_at_ms,
    nowMs: row.now_ms,
    intervalMs: row.interval_ms,
    retryInMs: Math.max(5, row.retry_in_ms),
  }
}

/**
 * The provider said "too fast" (130429): push the schedule back by `retryAfterMs` and lower the
 * sender's rate; it recovers gradually, so a wrong tier setting settles below the real cap.
 */
export async function penalizeSender(db: Kysely<WorkerDatabase>, senderKey: string, retryAfterMs: number): Promise<void> {
  // Many sends in flight are refused together for one overshoot: the rate is lowered at most
  // every 250 ms (a persistent overshoot, a tier set too high, converges within a second or
  // two; a single jitter costs 15% for a few seconds), the schedule is pushed back by every answer.
  await sql`
    update worker.sender_rate_limit s set
      rate_factor = case when s.throttled_at is null or s.throttled_at < clock_timestamp() - interval '250 milliseconds'
        then greatest(${MIN_FACTOR}, least(1.0, s.rate_factor + ${RECOVERY_PER_SECOND}
          * coalesce(extract(epoch from clock_timestamp() - s.throttled_at), 1e9)) * ${THROTTLE_FACTOR})
        else s.rate_factor end,
      throttled_at = case when s.throttled_at is null or s.throttled_at < clock_timestamp() - interval '250 milliseconds'
        then clock_timestamp() else s.throttled_at end,
      next_free_at = greatest(s.next_free_at, clock_timestamp() + make_interval(secs => ${retryAfterMs / 1000})),
      updated_at = clock_timestamp()
    where s.sender_key = ${senderKey}
  `.execute(db)
}

/**
 * Reserves one send window per recipient of a sender (WhatsApp's pair limit, 131056): a
 * recipient's message may go in [slot, slot + windowMs], and the next one, whatever path sends
 * it, no earlier than slot + intervalMs + windowMs, so two sends to one citizen are always at
 * least `intervalMs` apart. Returns, per phone, how long to wait for the slot (0 for almost
 * everyone in a broadcast).
 */
export async function reservePairSlots(
  db: Kysely<WorkerDatabase>,
  senderKey: string,
  phones: readonly string[],
  intervalMs: number,
  windowMs: number,
): Promise<Map<string, number>> {
  if (phones.length === 0) return new Map()
  const stride = (intervalMs + windowMs) / 1000
  const { rows } = await sql<{ phone: string; wait_ms: number }>`
    insert into worker.recipient_pacing as p (sender_key, phone, next_at)
    select ${senderKey}, phone, clock_timestamp() + make_interval(secs => ${stride})
    from unnest(${phones}::text[]) as phone
    on conflict (sender_key, phone) do update
      set next_at = greatest(p.next_at, clock_timestamp()) + make_interval(secs => ${stride})
    returning p.phone,
      greatest(0, extract(epoch from p.next_at - make_interval(secs => ${stride}) - clock_timestamp()) * 1000)::float8 as wait_ms
  `.execute(db)
  return new Map(rows.map((r) => [r.phone, r.wait_ms]))
}
