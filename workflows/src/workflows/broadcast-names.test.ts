import { BroadcastWorkflow } from '@banditore/contracts'
import { describe, expect, it } from 'vitest'
import { cancelSignal, massBroadcastWorkflow, pauseSignal, progressQuery, resumeSignal } from './broadcast.workflow.js'
import * as bundle from './index.js'

/** The staff API starts and steers the workflow by these names: they must not drift apart. */
describe('broadcast workflow names', () => {
  it('registers the workflow under the type the staff API starts', () => {
    expect(massBroadcastWorkflow.name).toBe(BroadcastWorkflow.type)
    expect(Object.keys(bundle)).toContain(BroadcastWorkflow.type)
  })

  it('answers the signals and the query the staff API sends', () => {
    expect([pauseSignal.name, resumeSignal.name, cancelSignal.name]).toEqual(Object.values(BroadcastWorkflow.signals))
    expect(progressQuery.name).toBe(BroadcastWorkflow.queries.progress)
  })
})
