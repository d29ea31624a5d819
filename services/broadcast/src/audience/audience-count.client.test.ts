import { AudienceCountReplyContract, AudienceCountRequestContract, Subjects, type AudienceCountReply, type AudienceCountRequest } from '@banditore/contracts'
import { headers, type Msg, type NatsConnection } from '@nats-io/transport-node'
import { describe, expect, it } from 'vitest'
import { AudienceUnavailableError, createAudienceCounter } from './audience-count.client.js'

const reply: AudienceCountReply = {
  version: 1,
  total: 3,
  byChannel: { whatsapp: 2, sms: 1 },
  byLanguage: { it: 3 },
  byChannelAndLanguage: { 'whatsapp:it': 2, 'sms:it': 1 },
}

/** A NATS connection whose requests the test answers; it records what was asked. */
function fakeNats(answer: (request: AudienceCountRequest) => AudienceCountReply | { error: string }) {
  const asked: AudienceCountRequest[] = []
  const nc = {
    async request(subject: string, data: Uint8Array) {
      expect(subject).toBe(Subjects.audienceCount)
      const request = AudienceCountRequestContract.decode(data)
      asked.push(request)
      const answered = answer(request)
      if ('error' in answered) {
        const h = headers()
        h.set('Nats-Service-Error-Code', 'UNKNOWN_TOPIC')
        h.set('Nats-Service-Error', answered.error)
        return { data: new Uint8Array(), headers: h } as unknown as Msg
      }
      return { data: AudienceCountReplyContract.encode(answered), headers: undefined } as unknown as Msg
    },
  }
  return { nc: nc as unknown as NatsConnection, asked }
}

describe('the audience counter', () => {
  it('asks the count request once per filter within its cache, in a canonical order', async () => {
    let now = 0
    const { nc, asked } = fakeNats(() => reply)
    const counter = createAudienceCounter({ nc, timeoutMs: 100, clock: () => now })
    expect(await counter.count('borgo', ['eventi', 'avvisi'], ['it'])).toEqual({ total: 3, byChannel: reply.byChannel, byLanguage: reply.byLanguage, byChannelAndLanguage: reply.byChannelAndLanguage })
    await counter.count('borgo', ['avvisi', 'eventi', 'avvisi'], ['it'])
    expect(asked).toEqual([{ version: 1, tenant: 'borgo', topics: ['avvisi', 'eventi'], languages: ['it'] }])
    now = 16_000
    await counter.count('borgo', ['avvisi', 'eventi'], ['it'])
    expect(asked).toHaveLength(2)
  })

  it('asks for counts by topic for the dashboard', async () => {
    const { nc, asked } = fakeNats((request) => ({ ...reply, ...(request.byTopic ? { byTopic: { emergenze: 3, avvisi: 2 } } : {}) }))
    const counter = createAudienceCounter({ nc, timeoutMs: 100 })
    expect(await counter.countByTopic('borgo', ['emergenze', 'avvisi'])).toMatchObject({ total: 3, byTopic: { emergenze: 3, avvisi: 2 } })
    expect(await counter.count('borgo', ['emergenze', 'avvisi'])).not.toHaveProperty('byTopic')
    expect(asked.map((r) => r.byTopic)).toEqual([true, undefined])
  })

  it('turns a refusal into AudienceUnavailableError and does not keep it', async () => {
    let refuse = true
    const { nc, asked } = fakeNats(() => (refuse ? { error: 'unknown topics: sport' } : reply))
    const counter = createAudienceCounter({ nc, timeoutMs: 100 })
    await expect(counter.count('borgo', ['sport'])).rejects.toBeInstanceOf(AudienceUnavailableError)
    refuse = false
    expect((await counter.count('borgo', ['sport'])).total).toBe(3)
    expect(asked).toHaveLength(2)
  })
})
