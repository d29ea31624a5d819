import type { Logger, TenantDirectory } from '@banditore/platform'
import { senderKeys, type DispatchSlot, type SendPriority, type SendRateLimiter } from '@banditore/providers'
import type { Kysely } from 'kysely'
import type { WorkerDatabase } from '../worker-database.js'
import { databaseClock, ensureSenderSchedule, leaseSlots, penalizeSender, type SlotLease } from './rate-limit-schedule.repository.js'

/**
 * The one rate limit of each sender number, shared by every outbound path (broadcasts,
 * emergencies, replies) of every worker process.
 *
 * Why this shape: the provider caps a number's messages over any sliding second, and several
 * workers send for the same number. Each number has one schedule row in PostgreSQL (GCRA: the
 * next free send time); a worker leases a run of consecutive slots (about `leaseMs` worth) in
 * one short row-locked statement, then releases its waiting sends locally at exactly those
 * times. Slots of different workers never overlap, so the sum stays at the rate without bursts,
 * and PostgreSQL sees ~1/`leaseMs` statements per second per number, not one per message.
 * A crashed worker only wastes the slots it held (under-use, never over-use). PostgreSQL's clock
 * orders the schedule, so worker clocks need not agree. Emergencies go first: locally they take
 * the next slot before any routine send, and their leases keep routine leases of every worker
 * out while they flow; routine traffic can hold at most `horizonMs` of future slots, so that is
 * the longest an emergency waits behind a broadcast.
 *
 * `acquire` releases a send at its slot's time from this event loop, so a pause of it (a garbage
 * collection, a burst of other work) makes slots late, and a slot used late would bunch with
 * the next ones: past `lateMs` (about `lateToleranceMs`, paid for by pacing below the cap) it
 * is forfeited. A lease's slots start `leaseLeadMs` after it is granted, so they are still ahead
 * when the answer reaches the worker. `reserve` hands the slot over `dispatchLeadMs`
 * early to a transport that writes the request at the slot's time from an event loop of its own
 * (see createProviderDispatcher); this loop's pauses shorter than the lead then cost nothing.
 */
export interface LeasedRateLimiter extends SendRateLimiter {
  reserve(senderKey: string, options?: { priority?: SendPriority; retry?: boolean }): Promise<DispatchSlot>
  /** The provider answered "too fast": slow this sender down everywhere. */
  throttled(senderKey: string, retryAfterMs?: number): Promise<void>
  /** Sends waiting for a slot (for metrics and tests). */
  waiting(senderKey: string): number
  /** Slots leased, used, and lost (forfeited late, or expired unused), since start. */
  stats(): { leased: number; used: number; forfeited: number; expired: number; leases: number }
}

export interface LeasedRateLimiterOptions {
  db: Kysely<WorkerDatabase>
  /** The provider's cap of a sender key, messages per second. */
  capOf: (senderKey: string) => number
  logger: Logger
  /**
   * Share of the cap actually used. The provider counts over any sliding second and our sends
   * jitter by a few ms (timers, GC, network, the provider's own clock), so a little headroom
   * keeps us from ever hitting the cap: 0.98 leaves 20 ms a second. Measured at 1,000/s on a
   * loaded 2-core machine: at most 995 in any second, 0.96-0.975 of the cap achieved.
   */
  utilization?: number
  /**
   * How late a send may leave after its slot, ms, paid for by pacing further below the cap (see
   * paceOf). Default 0: one slot's worth (13 ms at 80/s), which keeps broadcasts at 0.98 of the
   * cap. An event loop or a machine busy for longer loses the slots it passes by, and with them
   * throughput: on a 2-core machine at a load of 20-30, a third of the slots of a reply rush.
   */
  lateToleranceMs?: number
  /** Slots per lease, in ms of sending at the rate. */
  leaseMs?: number
  horizonMs?: number
  emergencyHoldMs?: number
  /** How long before its slot a reserved send is handed to its transport, ms (default 50). */
  dispatchLeadMs?: number
  /**
   * A lease's first slot is at least this long after the database grants it, ms (default: the
   * dispatch lead plus 50). Without it an idle sender's slots start at the database's "now", and
   * are already late once the answer is back and the send handed over: they were forfeited one
   * after another while the sends behind them waited (a trickle of replies lost most of its slots).
   */
  leaseLeadMs?: number
  /** Local clock, ms; default `performance.timeOrigin + performance.now()` (monotonic epoch). */
  now?: () => number
}

interface Waiter {
  resolve: (slot: DispatchSlot) => void
  reject: (error: unknown) => void
  emergency: boolean
  /** Released this long before the slot: 0 for `acquire`, the dispatch lead for `reserve`. */
  leadMs: number
}

interface SenderState {
  readonly key: string
  /** Local times (ms, `now()`) of leased slots not yet given to a send. */
  slots: number[]
  readonly emergency: Waiter[]
  readonly routine: Waiter[]
  /** Waiters given a slot (in slot order), released by the timer at their time less their lead. */
  readonly assigned: Array<{ readonly at: number; waiter: Waiter }>
  timer: NodeJS.Timeout | undefined
  /** When the armed timer fires (local ms). */
  timerAt: number
  leasing: boolean
  ready: boolean
  leaseRetry: NodeJS.Timeout | undefined
}

/** Messages a second above which reserved slots are not timed by the transport (see reserve). */
const MAX_TIMED_DISPATCH_RATE = 2000

/** Senders' caps from the tenant files: WhatsApp numbers and SMS numbers. */
export function senderCapsOf(tenants: TenantDirectory): Map<string, number> {
  const caps = new Map<string, number>()
  for (const tenant of tenants.all()) {
    const { whatsapp, sms } = tenant.channels
    if (whatsapp) caps.set(senderKeys.whatsapp(whatsapp.phoneNumberId), whatsapp.messagesPerSecond)
    if (sms) caps.set(senderKeys.sms(sms.number), sms.messagesPerSecond)
  }
  return caps
}

export function createLeasedRateLimiter(options: LeasedRateLimiterOptions): LeasedRateLimiter {
  const { db, logger } = options
  const utilization = options.utilization ?? 0.98
  const leaseMs = options.leaseMs ?? 100
  const emergencyHoldMs = options.emergencyHoldMs ?? 1000
  const dispatchLeadMs = options.dispatchLeadMs ?? 50
  const leaseLeadMs = options.leaseLeadMs ?? dispatchLeadMs + 50
  const lateToleranceMs = options.lateToleranceMs ?? 0
  const now = options.now ?? (() => performance.timeOrigin + performance.now())
  const senders = new Map<string, SenderState>()
  const counters = { leased: 0, used: 0, forfeited: 0, expired: 0, leases: 0 }
  // PostgreSQL's clock minus ours (ms), from the round trip with the smallest RTT among the last
  // 30 s of samples (NTP's idea): slots of every worker then line up within a fraction of a
  // millisecond, however late a busy event loop reads an answer. A few pings before the first
  // lease keep one slow first answer from misplacing the first slots.
  const samples: Array<{ offset: number; rtt: number; at: number }> = []
  let offset: number | undefined
  const observeClock = (asked: number, answered: number, pgNowMs: number) => {
    samples.push({ offset: pgNowMs - (asked + answered) / 2, rtt: answered - asked, at: answered })
    while (samples.length > 1 && answered - (samples[0]?.at ?? answered) > 30_000) samples.shift()
    if (samples.length > 64) samples.splice(0, samples.length - 64)
    offset = samples.reduce((best, s) => (s.rtt < best.rtt ? s : best)).offset
  }
  let synced: Promise<void> | undefined
  const syncClock = () =>
    (synced ??= (async () => {
      for (let i = 0; i < 5; i++) {
        const asked = now()
        const pgNow = await databaseClock(db)
        observeClock(asked, now(), pgNow)
      }
    })())

  // The pace, and how late a slot may still be used. A send leaves within `lateMs` after its slot
  // (else the slot is given up), so a sliding second holds the slots of a second and `lateMs`
  // more, plus one at its edge: rate + k + 1 ≤ cap with k = rate × lateMs slots. The rate is the
  // smaller of a share of the cap and what leaves k slots of lateness (about `lateToleranceMs`,
  // at least one). By default one slot: 80/s paces at 78/s with 13 ms of lateness, 1,000/s at
  // 980/s; a tolerance of 50 ms gives 75/s and 54 ms, 949/s and 52 ms (for a host whose event
  // loops are often that late, at the price of throughput).
  const paceOf = (cap: number): { rate: number; lateMs: number } => {
    if (cap <= 4) return { rate: cap / 2, lateMs: Math.max(5, 2000 / cap) }
    const k = Math.max(1, Math.ceil((cap * utilization * lateToleranceMs) / 1000))
    const rate = Math.max(1, Math.min(cap * utilization, cap - 1 - k))
    return { rate, lateMs: Math.max(5, (k * 1000) / rate) }
  }
  const rateOf = (key: string) => paceOf(options.capOf(key)).rate
  // Beyond the lead, or no lease would ever start within it.
  const horizonMs = Math.max(options.horizonMs ?? Math.max(250, 3 * leaseMs), leaseLeadMs + leaseMs)

  const stateOf = (key: string): SenderState => {
    let state = senders.get(key)
    if (!state) {
      state = { key, slots: [], emergency: [], routine: [], assigned: [], timer: undefined, timerAt: 0, leasing: false, ready: false, leaseRetry: undefined }
      senders.set(key, state)
    }
    return state
  }

  // A slot used later than its tolerance would bunch with the next ones past the cap (the
  // provider counts any sliding second): it is forfeited and its send waits for a fresh one, first in line.
  const lateMsOf = (key: string) => paceOf(options.capOf(key)).lateMs

  /** Arms the sender's timer for the earliest release due (slot time less the waiter's lead). */
  const arm = (state: SenderState) => {
    let due = Infinity
    for (const entry of state.assigned) {
      if (entry.at - dispatchLeadMs >= due) break
      due = Math.min(due, entry.at - entry.waiter.leadMs)
    }
    if (due === Infinity) return
    if (state.timer) {
      if (state.timerAt <= due) return
      clearTimeout(state.timer)
    }
    state.timerAt = due
    // Timers fire up to a millisecond late by design: wake one early, release what is due within one.
    state.timer = setTimeout(() => release(state), Math.max(0, due - now() - 1))
  }

  const release = (state: SenderState) => {
    state.timer = undefined
    const t = now()
    const lateMs = lateMsOf(state.key)
    const late: Waiter[] = []
    for (let i = 0; i < state.assigned.length; ) {
      const { at, waiter } = state.assigned[i] as { at: number; waiter: Waiter }
      if (at - dispatchLeadMs > t + 1) break
      if (at - waiter.leadMs > t + 1) {
        i++
        continue
      }
      state.assigned.splice(i, 1)
      if (t - at > lateMs) {
        counters.forfeited++
        late.push(waiter)
      } else {
        counters.used++
        waiter.resolve({ at, lateMs, senderKey: state.key })
      }
    }
    if (late.length > 0) {
      state.emergency.unshift(...late.filter((w) => w.emergency))
      state.routine.unshift(...late.filter((w) => !w.emergency))
      assign(state)
    }
    arm(state)
  }

  const assign = (state: SenderState) => {
    const t = now()
    // A slot whose time went by unused is dropped: using it late would bunch sends.
    const stale = t - lateMsOf(state.key)
    let dropped = 0
    while (dropped < state.slots.length && (state.slots[dropped] as number) < stale) dropped++
    if (dropped > 0) state.slots.splice(0, dropped)
    counters.expired += dropped
    while (state.slots.length > 0) {
      const waiter = state.emergency.shift() ?? state.routine.shift()
      if (!waiter) break
      state.assigned.push({ at: state.slots.shift() as number, waiter })
    }
    // Out of slots: an emergency takes the earliest slot held by a routine send here.
    for (const entry of state.assigned) {
      if (state.emergency.length === 0) break
      if (entry.waiter.emergency) continue
      state.routine.unshift(entry.waiter)
      entry.waiter = state.emergency.shift() as Waiter
    }
    arm(state)
    if (state.emergency.length + state.routine.length > 0) void lease(state)
  }

  const lease = async (state: SenderState) => {
    if (state.leasing || state.leaseRetry) return
    state.leasing = true
    const priority: SendPriority = state.emergency.length > 0 ? 'emergency' : 'routine'
    const rate = rateOf(state.key)
    let granted: SlotLease | undefined
    try {
      if (!state.ready) {
        await syncClock()
        await ensureSenderSchedule(db, state.key, rate)
        state.ready = true
      }
      // Enough for the sends waiting, and at least a quarter lease: sends that come one by one
      // (a lane finishing its request) then find a slot here instead of a round trip each. Up to
      // the horizon's worth, not one lease: one lease is in flight at a time, so with a queue
      // waiting, leases of `leaseMs` would cap the sender at `leaseMs` of slots per round trip
      // (a slow database, a busy event loop: 200 ms round trips held an 80/s number to 40/s).
      const full = Math.min(1000, Math.max(1, Math.round((rate * leaseMs) / 1000)))
      const most = Math.max(full, Math.min(10_000, Math.floor((rate * horizonMs) / 1000)))
      const requested = Math.min(most, Math.max(state.emergency.length + state.routine.length, Math.ceil(full / 4)))
      const asked = now()
      granted = await leaseSlots(db, { senderKey: state.key, ratePerSecond: rate, requested, priority, horizonMs, emergencyHoldMs, leadMs: rate <= MAX_TIMED_DISPATCH_RATE ? leaseLeadMs : 0 })
      observeClock(asked, now(), granted.nowMs)
      const start = granted.startAtMs - (offset ?? 0)
      for (let i = 0; i < granted.granted; i++) state.slots.push(start + i * granted.intervalMs)
      counters.leased += granted.granted
      counters.leases++
    } catch (error) {
      // The schedule is unreachable: the waiting sends fail (not sent, so safe to retry).
      logger.warn({ senderKey: state.key, err: error }, 'rate limit lease failed')
      for (const waiter of [...state.emergency.splice(0), ...state.routine.splice(0)]) waiter.reject(error)
    } finally {
      state.leasing = false
    }
    if (granted && granted.granted === 0) {
      state.leaseRetry = setTimeout(() => {
        state.leaseRetry = undefined
        assign(state)
      }, granted.retryInMs)
      return
    }
    assign(state)
  }

  return {
    acquire(senderKey, acquireOptions) {
      const state = stateOf(senderKey)
      const emergency = acquireOptions?.priority === 'emergency'
      return new Promise<void>((resolve, reject) => {
        ;(emergency ? state.emergency : state.routine).push({ resolve: () => resolve(), reject, emergency, leadMs: 0 })
        assign(state)
      })
    },
    reserve(senderKey, reserveOptions) {
      const state = stateOf(senderKey)
      const emergency = reserveOptions?.priority === 'emergency'
      if (reserveOptions?.retry) {
        // The transport let the previous slot go by: it was not used after all.
        counters.used--
        counters.forfeited++
      }
      // Above this rate a slot is shorter than a timer's resolution: the sends go in bursts of
      // many per millisecond, released from here as `acquire` does, and written at once.
      const timed = rateOf(senderKey) <= MAX_TIMED_DISPATCH_RATE
      return new Promise<DispatchSlot>((resolve, reject) => {
        const waiter = timed
          ? { resolve, reject, emergency, leadMs: dispatchLeadMs }
          : { resolve: (slot: DispatchSlot) => resolve({ ...slot, lateMs: Number.POSITIVE_INFINITY }), reject, emergency, leadMs: 0 }
        const queue = emergency ? state.emergency : state.routine
        if (reserveOptions?.retry) queue.unshift(waiter)
        else queue.push(waiter)
        assign(state)
      })
    },
    async throttled(senderKey, retryAfterMs) {
      const state = stateOf(senderKey)
      // Our own leased slots are suspect too: drop the unused ones.
      state.slots = []
      await penalizeSender(db, senderKey, retryAfterMs ?? 500)
      logger.warn({ senderKey, retryAfterMs }, 'provider throttled a sender; slowing it down')
    },
    stats: () => ({ ...counters }),
    waiting(senderKey) {
      const state = senders.get(senderKey)
      return state ? state.emergency.length + state.routine.length + state.assigned.length : 0
    },
  }
}
