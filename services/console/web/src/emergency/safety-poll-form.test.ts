import { describe, expect, it } from 'vitest'
import { ApiError } from '../api/api-client'
import type { TimelineEntry } from '../api/types'
import { NO_SAFETY_POLL, safetyPollBody, safetyPollChoiceOf, safetyPollErrorOf, safetyPollTimeline } from './safety-poll-form'

const entry = (kind: TimelineEntry['kind'], detail: Record<string, unknown>): TimelineEntry => ({ at: '2026-12-16T10:00:00.000Z', kind, actor: 'system', detail })

describe('the safety poll choice', () => {
  it('asks nothing unless chosen, and sends the reminder only when one is chosen', () => {
    expect(safetyPollBody(NO_SAFETY_POLL)).toBeUndefined()
    expect(safetyPollBody({ ask: true, reminderAfterSeconds: null, openForSeconds: 7200 })).toEqual({ openForSeconds: 7200 })
    expect(safetyPollBody({ ask: true, reminderAfterSeconds: 1800, openForSeconds: 21_600 })).toEqual({ openForSeconds: 21_600, reminderAfterSeconds: 1800 })
    expect(safetyPollChoiceOf(null)).toEqual(NO_SAFETY_POLL)
    expect(safetyPollChoiceOf({ reminderAfterSeconds: 900, openForSeconds: 43_200, tally: null })).toEqual({ ask: true, reminderAfterSeconds: 900, openForSeconds: 43_200 })
  })

  it('reads the API’s refusal of the poll: the 422 detail, or the 400 schema errors', () => {
    expect(safetyPollErrorOf(new ApiError({ status: 422, code: 'DRAFT_INVALID', detail: '/poll: un cessato allarme non chiede ai cittadini come stanno' }))).toEqual({
      field: 'ask',
      message: 'un cessato allarme non chiede ai cittadini come stanno',
    })
    expect(safetyPollErrorOf(new ApiError({ status: 400, errors: [{ instancePath: '/poll/openForSeconds', message: 'must be <= 259200' }] }))).toMatchObject({ field: 'openFor' })
    expect(safetyPollErrorOf(new ApiError({ status: 400, errors: [{ instancePath: '/poll/reminderAfterSeconds' }] }))).toMatchObject({ field: 'reminder' })
    expect(safetyPollErrorOf(new ApiError({ status: 422, detail: '/headline/it: manca il titolo' }))).toBeUndefined()
    expect(safetyPollErrorOf(new Error('boom'))).toBeUndefined()
  })
})

describe('the safety poll on the timeline', () => {
  it('says each step in Italian with its numbers', () => {
    expect(safetyPollTimeline(entry('poll-help', { new: 3, help: 5, ok: 10, onDuty: ['Reperibile URP'], accepted: 1 }))).toEqual({
      title: 'Richieste di aiuto: 3 nuove (totale 5), avvisato il personale di turno',
      detail: 'Reperibile URP',
    })
    expect(safetyPollTimeline(entry('poll-help', { new: 1, help: 1, ok: 0, onDuty: [], accepted: 0 }))?.title).toBe('Richieste di aiuto: 1 nuova (totale 1), nessun personale di turno da avvisare')
    expect(safetyPollTimeline(entry('poll-reminder', { reminderId: 'x', total: 40, processed: 40, accepted: 12, failed: 0, skipped: 28, deferred: 0 }))?.title).toBe('Promemoria inviato a 12 cittadini')
    expect(safetyPollTimeline(entry('poll-closed', { ok: 1, help: 2, helpWaiting: 1, stoppedBy: null }))).toEqual({
      title: 'Sondaggio chiuso: 1 sta bene, 2 chiedono aiuto',
      detail: '1 richiesta ancora aperta sullo sportello · tempo scaduto',
    })
    expect(safetyPollTimeline(entry('poll-opened', { closesAt: '2026-12-16T16:00:00.000Z', reminderAfterSeconds: 1800 }))?.detail).toMatch(/^risposte fino alle 17:00 .*· promemoria automatico dopo 30 minuti$/)
    expect(safetyPollTimeline(entry('triggered', {}))).toBeUndefined()
  })
})
