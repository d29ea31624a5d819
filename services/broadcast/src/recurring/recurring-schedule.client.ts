import { RecurringBroadcastWorkflow, type Recurrence, type RecurringOccurrenceInput } from '@banditore/contracts'
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type CalendarSpec, type Client, type ScheduleSpec } from '@temporalio/client'
import { WorkflowUnavailableError } from '../broadcast-errors.js'
import type { RecurrenceSpan } from './recurrence.js'

const MONTHS = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'] as const
/**
 * An occurrence the Temporal server could not start in time (the server was down) is still
 * started this long after its time; later than that it is dropped: a notice of tonight's
 * collection sent the next day would mislead.
 */
const CATCHUP_WINDOW = '2 hours'

/** The staff API's handle on the series' Temporal Schedules. */
export interface RecurringSchedules {
  /** Creates the series' schedule; creating it again is a no-op (a retried approval). */
  create(series: { id: string; tenant: string; recurrence: Recurrence; timeZone: string; span: RecurrenceSpan; title: string }): Promise<void>
  /** Deletes the series' schedule: no occurrence starts any more. Deleting it again is a no-op. */
  remove(tenant: string, seriesId: string): Promise<void>
}

/** The recurrence as calendar specs in the tenant's zone (Temporal applies the zone's clock changes). */
export function scheduleSpecOf(recurrence: Recurrence, timeZone: string, span: RecurrenceSpan): ScheduleSpec {
  const hm = (at: string) => ({ hour: Number(at.slice(0, 2)), minute: Number(at.slice(3, 5)), second: 0 })
  let calendars: CalendarSpec[]
  if ('dates' in recurrence) {
    calendars = recurrence.dates.map((date) => ({
      year: Number(date.slice(0, 4)),
      month: MONTHS[Number(date.slice(5, 7)) - 1] ?? 'JANUARY',
      dayOfMonth: Number(date.slice(8, 10)),
      hour: Number(date.slice(11, 13)),
      minute: Number(date.slice(14, 16)),
      second: date.length > 16 ? Number(date.slice(17, 19)) : 0,
      comment: date,
    }))
  } else if (recurrence.every === 'week') {
    const days = recurrence.weekdays.map((d) => d.toUpperCase() as Uppercase<typeof d>)
    calendars = [{ dayOfWeek: days, ...hm(recurrence.at), comment: `${recurrence.weekdays.join(',')} ${recurrence.at}` }]
  } else {
    calendars = [{ dayOfMonth: recurrence.day, ...hm(recurrence.at), comment: `day ${recurrence.day} ${recurrence.at}` }]
  }
  return { calendars, timezone: timeZone, jitter: 0, endAt: span.endsAt, ...(span.startsAt ? { startAt: span.startsAt } : {}) }
}

export function createRecurringSchedules({ client, taskQueue }: { client: Client; taskQueue: string }): RecurringSchedules {
  return {
    async create(series) {
      const scheduleId = RecurringBroadcastWorkflow.scheduleId(series.tenant, series.id)
      const input: RecurringOccurrenceInput = { version: 1, seriesId: series.id, tenant: series.tenant }
      try {
        await client.schedule.create({
          scheduleId,
          spec: scheduleSpecOf(series.recurrence, series.timeZone, series.span),
          action: {
            type: 'startWorkflow',
            workflowType: RecurringBroadcastWorkflow.type,
            // Temporal appends the scheduled time: one workflow id per occurrence.
            workflowId: scheduleId,
            taskQueue,
            args: [input],
          },
          // Never two occurrences of a series at once; one due while another still sends (a
          // pause in quiet hours) waits for it rather than being dropped.
          policies: { overlap: ScheduleOverlapPolicy.BUFFER_ALL, catchupWindow: CATCHUP_WINDOW, pauseOnFailure: false },
          state: { note: `Banditore: ${series.title}` },
        })
      } catch (error) {
        if (error instanceof ScheduleAlreadyRunning) return
        throw new WorkflowUnavailableError('Temporal did not create the schedule of the recurring broadcast', { cause: error })
      }
    },
    async remove(tenant, seriesId) {
      try {
        await client.schedule.getHandle(RecurringBroadcastWorkflow.scheduleId(tenant, seriesId)).delete()
      } catch (error) {
        if (error instanceof ScheduleNotFoundError) return
        throw new WorkflowUnavailableError('Temporal did not delete the schedule of the recurring broadcast', { cause: error })
      }
    },
  }
}
