import { describe, expect, it } from 'vitest'
import {
  BroadcastRunInputContract,
  BroadcastWorkflow,
  broadcastCorrelation,
  broadcastCorrelationPrefix,
  parseBroadcastCorrelation,
} from './broadcast.js'

const id = '6f9a4e0c-58b1-4a59-9a0e-0d6c0b1e2f3a'

describe('broadcast correlation', () => {
  it('round-trips the broadcast and ledger row, under the broadcast prefix', () => {
    const correlation = broadcastCorrelation(id, 4711)
    expect(correlation).toBe(`bc:${id}:4711`)
    expect(correlation.startsWith(broadcastCorrelationPrefix(id))).toBe(true)
    expect(parseBroadcastCorrelation(correlation)).toEqual({ broadcastId: id, ledgerId: 4711 })
  })

  it('is not fooled by replies, truncated or malformed values', () => {
    for (const other of ['reply:borgo:42', `bc:${id}:`, `bc:${id}:0`, `bc:${id}:12x`, `bc:not-a-uuid:1`, `bc:${id}:1:2`, '']) {
      expect(parseBroadcastCorrelation(other)).toBeUndefined()
    }
  })
})

describe('broadcast workflow catalog', () => {
  it('names one workflow per broadcast and tenant', () => {
    expect(BroadcastWorkflow.workflowId('borgo', id)).toBe(`broadcast:borgo:${id}`)
    expect(Object.values(BroadcastWorkflow.signals)).toEqual(['pause', 'resume', 'cancel'])
  })

  it('validates the workflow input', () => {
    const input = {
      version: 1,
      broadcastId: id,
      tenant: 'borgo',
      topics: ['avvisi'],
      defaultLanguage: 'it',
      content: { sms: { texts: { it: 'Avviso' } } },
    }
    expect(BroadcastRunInputContract.parse(input)).toEqual(input)
    expect(() => BroadcastRunInputContract.parse({ ...input, topics: [] })).toThrow(/topics/)
    expect(() => BroadcastRunInputContract.parse({ ...input, broadcastId: 'nope' })).toThrow(/broadcastId/)
    expect(() => BroadcastRunInputContract.parse({ ...input, content: { whatsapp: { templateName: 'Bad Name', variants: {} } } })).toThrow(/templateName/)
  })
})
