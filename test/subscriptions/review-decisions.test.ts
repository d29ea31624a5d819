import { Consumers, Events, Streams, type ReviewDecided } from '@banditore/contracts'
import { DurablePublisher } from '@banditore/platform'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../harness/index.js'
import { SubscriptionsFixture } from './subscriptions-fixture.js'

/**
 * A policy editor's decision on a message the rules sent to review reaches subscriptions as a
 * `moderation.review.<tenant>` event: `block` blocks the sender as the desk's block does, with
 * the editor as the actor and the reason in the history; `allow` and `delete` change nothing; a
 * decision delivered again blocks nobody twice.
 */
describe('review decisions from moderation', () => {
  let fx: SubscriptionsFixture
  const offender = '+393471119901'
  const other = '+393471119902'

  beforeAll(async () => {
    fx = await SubscriptionsFixture.start('2026-03-10T09:30:00Z')
    await fx.send('calcinato', { from: offender, text: 'ISCRIZIONE Carlo Neri' })
    await fx.send('calcinato', { from: other, text: 'ISCRIZIONE Anna Blu' })
    await fx.newReplies()
    await fx.newChanges()
  })
  afterAll(async () => {
    await fx?.close()
  })

  const decide = async (decided: { id: string; messageId: string; from: string; action: ReviewDecided['action']; reason: string }, msgId = decided.id) => {
    const event: ReviewDecided = { version: 1, tenant: 'calcinato', at: '2026-03-10T09:31:00.000Z', by: 'oidc:redattore.calcinato', ...decided }
    await new DurablePublisher(fx.nc).publish(Events.reviewDecided.subject('calcinato'), Events.reviewDecided.contract.encode(event), { msgId })
  }

  it('blocks the sender staff decided to block, once, and nobody on allow or delete', async () => {
    await decide({ id: 'review:calcinato:a1', messageId: 'whatsapp-cloud:wamid.r1', from: other, action: 'allow', reason: 'critica legittima' })
    await decide({ id: 'review:calcinato:a2', messageId: 'whatsapp-cloud:wamid.r2', from: other, action: 'delete', reason: 'fuori tema' })
    await decide({ id: 'review:calcinato:b1', messageId: 'whatsapp-cloud:wamid.r3', from: offender, action: 'block', reason: 'insulti ripetuti' })
    // Delivered again past JetStream's dedupe (a new message id): already blocked, nothing changes.
    await decide({ id: 'review:calcinato:b1', messageId: 'whatsapp-cloud:wamid.r3', from: offender, action: 'block', reason: 'insulti ripetuti' }, 'again')

    const blocked = await waitUntil(async () => (await fx.subscriber('calcinato', offender))?.blocked_at ? await fx.subscriber('calcinato', offender) : undefined, {
      what: 'the offender blocked',
    })
    expect(blocked).toMatchObject({ blocked_by: 'oidc:redattore.calcinato', blocked_reason: 'revisione moderazione: insulti ripetuti' })
    await waitUntil(async () => {
      const info = await fx.jsm.consumers.info(Streams.moderation.name, Consumers.subscriptionsReviewDecisions.durable)
      return info.num_pending === 0 && info.num_ack_pending === 0
    }, { what: 'every decision handled' })
    expect((await fx.subscriber('calcinato', other))?.blocked_at).toBeNull()
    expect((await fx.newChanges()).map((c) => c.change)).toEqual(['blocked'])
  })
})
