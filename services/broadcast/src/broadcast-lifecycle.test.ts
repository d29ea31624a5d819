import { describe, expect, it } from 'vitest'
import { statusOf } from './broadcast-lifecycle.js'
import type { BroadcastWithRun } from './repositories/broadcast.repository.js'

const base = { status: 'dispatched', send_at: null, run: null } as unknown as BroadcastWithRun
const at = new Date('2026-11-23T10:00:00.000Z')

describe('statusOf', () => {
  it('is the record’s own status until the broadcast is dispatched', () => {
    for (const status of ['draft', 'approved', 'cancelled'] as const) expect(statusOf({ ...base, status }, at)).toBe(status)
  })

  it('is scheduled or sending before the worker reports, then the run’s state', () => {
    expect(statusOf({ ...base, send_at: new Date('2026-11-23T11:00:00.000Z') }, at)).toBe('scheduled')
    expect(statusOf({ ...base, send_at: new Date('2026-11-23T09:00:00.000Z') }, at)).toBe('sending')
    expect(statusOf(base, at)).toBe('sending')
    const run = { state: 'paused', total: 10, started_at: at, finished_at: null } as const
    expect(statusOf({ ...base, run }, at)).toBe('paused')
  })
})
