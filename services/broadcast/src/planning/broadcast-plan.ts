import type { AudienceCount, BroadcastDraftBody, BroadcastPlan, Tenant } from '@banditore/contracts'
import type { Kysely } from 'kysely'
import type { AudienceCounter } from '../audience/audience-count.client.js'
import type { BroadcastDatabase } from '../broadcast-database.js'
import type { BroadcastWithRun } from '../repositories/broadcast.repository.js'
import { SCHEMA } from '../migrations/index.js'
import type { WorkerProgress } from '../worker-progress.client.js'
import { quietWindows, scheduleAround } from './quiet-hours.js'
import { smsSegments } from './sms-segments.js'
import type { TenantCalendar } from './tenant-calendar.js'
import type { TemplateRegistry } from '../templates/template-registry.js'

/** Default caps when the tenant file leaves them out (the schema's defaults). */
export const DEFAULT_MPS = { whatsapp: 80, sms: 10 } as const
/** Meta's tier of a new business portfolio. */
const DEFAULT_MESSAGING_LIMIT = 250
const DAY_MS = 86_400_000
/** Days of quiet hours a plan looks through; a send that needs more is reported as ending after them. */
const PLAN_DAYS = 30
/** Ledger states of recipients handed to a provider (what the messaging limit counts). */
const HANDED_OFF = ['accepted', 'sent', 'delivered', 'read', 'failed', 'sending']

export type Duration = BroadcastPlan['duration']

/** How long a sending takes at each number's cap; a subscriber gets it on their own channel, the channels side by side. */
export function durationAtCap(tenant: Tenant, audience: AudienceCount): Duration {
  const duration: Duration = { seconds: 0 }
  for (const channel of ['whatsapp', 'sms'] as const) {
    const configured = tenant.channels[channel]
    if (!configured) continue
    const messagesPerSecond = configured.messagesPerSecond ?? DEFAULT_MPS[channel]
    const recipients = audience.byChannel[channel]
    const seconds = Math.ceil((recipients / messagesPerSecond) * 10) / 10
    duration[channel] = { recipients, messagesPerSecond, seconds }
    duration.seconds = Math.max(duration.seconds, seconds)
  }
  return duration
}

/** SMS parts per recipient of each language (the default language's text when theirs is missing). */
function segmentsByLanguage(draft: BroadcastDraftBody, defaultLanguage: string): (language: string) => number {
  const texts = draft.sms?.texts ?? {}
  return (language) => smsSegments(texts[language] ?? texts[defaultLanguage] ?? '')
}

const round = (euro: number) => Math.round(euro * 10_000) / 10_000

/**
 * The pre-flight plan of a broadcast: who it reaches and who it skips, how long it takes at the
 * numbers' caps and where quiet hours pause it, whether Meta's messaging limit allows it (and what
 * to do when not), what it costs by the tenant's rate card, and the electoral period in force.
 */
export function createBroadcastPlanner(deps: {
  db: Kysely<BroadcastDatabase>
  audience: AudienceCounter
  worker: WorkerProgress
  calendar: TenantCalendar
  /** The WhatsApp template registry: Meta's category of the template, which prices it. */
  templates?: Pick<TemplateRegistry, 'categoryOf'>
  clock?: () => Date
}) {
  const { db, audience, worker, calendar, templates, clock = () => new Date() } = deps

  /** Recipients handed to a provider by the tenant's broadcasts dispatched in the last 24 hours (an upper bound, see the contract). */
  const usedLast24Hours = async (tenant: string, except: string, now: Date): Promise<number> => {
    const recent = await db
      .withSchema(SCHEMA)
      .selectFrom('broadcast')
      .select('id')
      .where('tenant', '=', tenant)
      .where('status', '=', 'dispatched')
      .where('id', '!=', except)
      .where('dispatched_at', '>', new Date(now.getTime() - DAY_MS))
      .execute()
    if (recent.length === 0) return 0
    const runs = await worker.runs(recent.map((r) => r.id), { ledger: true })
    let used = 0
    for (const run of runs.values()) for (const state of HANDED_OFF) used += run.ledger?.byState[state] ?? 0
    return used
  }

  return {
    async plan(tenant: Tenant, broadcast: BroadcastWithRun): Promise<BroadcastPlan> {
      const now = clock()
      const { draft } = broadcast
      const defaultLanguage = draft.languages?.[0] ?? (tenant.languages[0] as string)
      const [count, everyone, quietHours, period] = await Promise.all([
        audience.count(tenant.id, draft.topics, draft.languages),
        audience.count(tenant.id, tenant.topics.map((t) => t.id)),
        calendar.quietHours(tenant),
        calendar.inForce(tenant),
      ])
      const duration = durationAtCap(tenant, count)

      const started = broadcast.run?.started_at
      const start = started ? new Date(started) : broadcast.send_at && new Date(broadcast.send_at) > now ? new Date(broadcast.send_at) : now
      const { endsAt, pauses } = scheduleAround(quietWindows(quietHours, start, PLAN_DAYS), start, duration.seconds)

      const segmentsOf = segmentsByLanguage(draft, defaultLanguage)
      const smsRecipientsByLanguage = Object.entries(count.byChannelAndLanguage).filter(([key]) => key.startsWith('sms:'))
      const smsSegmentsTotal = smsRecipientsByLanguage.reduce((n, [key, recipients]) => n + recipients * segmentsOf(key.slice(4)), 0)
      const longestSms = Math.max(0, ...Object.values(draft.sms?.texts ?? {}).map(smsSegments))

      let whatsappLimit: BroadcastPlan['whatsappLimit'] = null
      if (tenant.channels.whatsapp && draft.whatsapp) {
        const limit = tenant.channels.whatsapp.messagingLimit ?? DEFAULT_MESSAGING_LIMIT
        const used = await usedLast24Hours(tenant.id, broadcast.id, now)
        const needed = count.byChannel.whatsapp
        if (limit === 'unlimited') {
          whatsappLimit = { limit, usedLast24Hours: used, needed, available: 'unlimited', fits: true, proposals: [] }
        } else {
          const available = Math.max(0, limit - used)
          const fits = needed <= available
          const proposals: NonNullable<BroadcastPlan['whatsappLimit']>['proposals'] = []
          if (!fits) {
            proposals.push({ kind: 'spread', days: 1 + Math.ceil((needed - available) / limit), perDay: limit })
            if (tenant.channels.sms && draft.sms) {
              const remainder = needed - available
              proposals.push({ kind: 'sms-remainder', whatsapp: available, sms: remainder, smsSegments: remainder * longestSms })
            }
          }
          whatsappLimit = { limit, usedLast24Hours: used, needed, available, fits, proposals }
        }
      }

      let cost: BroadcastPlan['cost'] = null
      if (tenant.rateCard) {
        const template = draft.whatsapp ? tenant.whatsappTemplates?.find((t) => t.name === draft.whatsapp?.templateName) : undefined
        // Meta decides the category (and may change it): the registry's, when it knows the template.
        const category = (await templates?.categoryOf(tenant, draft)) ?? template?.category ?? 'utility'
        const whatsappMessages = draft.whatsapp ? count.byChannel.whatsapp : 0
        const whatsappUnit = tenant.rateCard.whatsapp?.[category] ?? 0
        const smsUnit = tenant.rateCard.smsSegment ?? 0
        const smsRecipients = draft.sms ? count.byChannel.sms : 0
        const segments = draft.sms ? smsSegmentsTotal : 0
        const whatsappTotal = round(whatsappMessages * whatsappUnit)
        const smsTotal = round(segments * smsUnit)
        cost = {
          currency: 'EUR',
          whatsapp: { category, messages: whatsappMessages, unitPrice: whatsappUnit, total: whatsappTotal },
          sms: { recipients: smsRecipients, segmentsPerMessage: longestSms, segments, unitPrice: smsUnit, total: smsTotal },
          total: round(whatsappTotal + smsTotal),
        }
      }

      return {
        broadcastId: broadcast.id,
        audience: count,
        skipped: { outsideTopics: Math.max(0, everyone.total - count.total), stopped: null, blocked: null },
        duration,
        schedule: {
          startsAt: start.toISOString(),
          endsAt: endsAt.toISOString(),
          quietHours,
          pauses: pauses.map((p) => ({ from: p.from.toISOString(), until: p.until.toISOString() })),
        },
        whatsappLimit,
        cost,
        electoralPeriod: period,
      }
    },
  }
}
export type BroadcastPlanner = ReturnType<typeof createBroadcastPlanner>
