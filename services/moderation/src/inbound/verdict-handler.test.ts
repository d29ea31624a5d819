import { Writable } from 'node:stream'
import { ModerationVerdictContract, type InboundMessage } from '@banditore/contracts'
import { createLogger, PermanentMessageError } from '@banditore/platform'
import { describe, expect, it } from 'vitest'
import { createModerationMetrics } from '../moderation-metrics.js'
import { RulesetStore } from '../ruleset/ruleset-store.js'
import { InMemorySenderHistoryStore } from '../sender/sender-history-store.js'
import { compileRuleset } from '../ruleset/compiled-ruleset.js'
import { seedProfiles, shippedFiles, shippedRuleset, withFile } from '../testing/shipped-ruleset.js'
import { createVerdictHandler, type VerdictPublisher } from './verdict-handler.js'

const message = (text: string, id = 'whatsapp-cloud:wamid.1', extra: Partial<InboundMessage> = {}): InboundMessage => ({
  version: 1,
  id,
  tenant: 'corbetta',
  channel: 'whatsapp',
  provider: 'whatsapp-cloud',
  providerMessageId: id.split(':')[1] as string,
  from: '+393331234567',
  to: '+393667760789',
  profileName: 'Mario Rossi',
  type: 'text',
  text,
  sentAt: '2026-03-11T09:00:00.000Z',
  receivedAt: '2026-03-11T09:00:01.000Z',
  ...extra,
})

const SUBJECT = 'inbound.message.corbetta'

async function setup(publisher?: VerdictPublisher, ruleset?: Awaited<ReturnType<typeof shippedRuleset>>) {
  const published: { subject: string; data: Uint8Array; msgId: string }[] = []
  const lines: string[] = []
  const logger = createLogger({
    service: 'moderation',
    destination: new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk))
        done()
      },
    }),
  })
  const senders = new InMemorySenderHistoryStore()
  const handle = createVerdictHandler({
    store: new RulesetStore(ruleset ?? (await shippedRuleset()), await seedProfiles()),
    senders,
    publisher: publisher ?? { publish: async (subject, data, { msgId }) => published.push({ subject, data, msgId }) },
    logger,
    metrics: createModerationMetrics(),
    now: () => new Date('2026-03-11T09:00:02.000Z'),
  })
  return { handle, published, lines, senders }
}

describe('createVerdictHandler', () => {
  it('publishes a valid verdict with the message inside, on the tenant subject, deduplicated by message id', async () => {
    const { handle, published } = await setup()
    const verdict = await handle(message('Siete dei coglioni'), SUBJECT)
    expect(published).toHaveLength(1)
    expect(published[0]).toMatchObject({ subject: 'moderation.verdict.corbetta', msgId: 'whatsapp-cloud:wamid.1' })
    const sent = ModerationVerdictContract.decode(published[0]?.data as Uint8Array)
    expect(sent).toEqual(verdict)
    expect(sent).toMatchObject({
      version: 1,
      messageId: 'whatsapp-cloud:wamid.1',
      tenant: 'corbetta',
      from: '+393331234567',
      channel: 'whatsapp',
      action: 'delete',
      categories: ['offensive-language'],
      rules: expect.arrayContaining(['vulgar-language']),
      rulesetVersion: expect.stringMatching(/^sha256:/),
      decidedAt: '2026-03-11T09:00:02.000Z',
      message: { text: 'Siete dei coglioni' },
    })
  })

  it('carries an unsubscribe request whatever the verdict, for subscriptions to honour first', async () => {
    const { handle } = await setup()
    const verdict = await handle(message('DEL WA, siete degli idioti'), SUBJECT)
    expect(verdict.action).toBe('delete')
    expect(verdict.message.text).toBe('DEL WA, siete degli idioti')
    expect((await handle(message('DEL WA', 'whatsapp-cloud:wamid.2'), SUBJECT)).action).toBe('allow')
  })

  it('reads captions and locations, and lets an empty reaction through', async () => {
    const { handle } = await setup()
    const photo = message('', 'whatsapp-cloud:wamid.3', { type: 'image', text: undefined, media: [{ kind: 'image', ref: 'media-1', caption: 'video porno gratis' }] })
    expect((await handle(photo, SUBJECT)).categories).toEqual(['obscene-content'])
    const reaction = message('', 'whatsapp-cloud:wamid.4', { type: 'reaction', text: undefined, reaction: { messageId: 'wamid.0', emoji: '👍' } })
    expect((await handle(reaction, SUBJECT)).action).toBe('allow')
  })

  it('dead-letters a message filed under another tenant at once', async () => {
    const { handle, published } = await setup()
    await expect(handle(message('ciao'), 'inbound.message.ancona')).rejects.toThrow(PermanentMessageError)
    await expect(handle(message('ciao'), 'inbound.message.ancona')).rejects.toThrow(/tenant corbetta arrived on inbound.message.ancona/)
    expect(published).toEqual([])
  })

  it('records nothing when JetStream does not acknowledge the verdict, so the redelivery decides afresh', async () => {
    const { handle, senders } = await setup({ publish: async () => Promise.reject(new Error('no ack')) })
    await expect(handle(message('vaffanculo'), SUBJECT)).rejects.toThrow(/no ack/)
    expect((await senders.historyOf('corbetta', '+393331234567', Date.parse('2026-03-11T09:01:00Z'))).pastViolations).toBe(0)
  })

  it('counts violations per sender, blocking a repeat offender, and logs no number, name or text', async () => {
    const { handle, lines } = await setup()
    const actions = []
    for (let i = 1; i <= 3; i++) actions.push((await handle(message('vaffanculo', `whatsapp-cloud:wamid.${i}`), SUBJECT)).action)
    expect(actions).toEqual(['delete', 'delete', 'block'])
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) {
      expect(line).not.toMatch(/393331234567|Mario|vaffanculo/)
      expect(JSON.parse(line)).toMatchObject({ tenant: 'corbetta', msg: 'message moderated' })
    }
  })

  it('explains every fired rule: the condition that held and its words, or the classifier score and threshold', async () => {
    // The shipped policy uses no classifier rule (README); an editor's rule on its score is explained too.
    const classifierRule = {
      $schema: '../../rule.schema.json',
      name: 'threats-violence-classifier',
      description: 'Minacce riconosciute dal classificatore statistico.',
      policy: 'Prova: soglia 0.6.',
      priority: 40,
      conditions: { all: [{ fact: 'classifier.threats-violence', operator: 'greaterThanInclusive', value: 0.6 }] },
      event: { type: 'review', params: { category: 'threats-violence' } },
    }
    const files = withFile(
      withFile(await shippedFiles(), 'default/inbound/threats-violence-classifier.json', classifierRule),
      'default/inbound/threats-violence-classifier.cases.json',
      { $schema: '../../cases.schema.json', rule: 'threats-violence-classifier', match: [{ text: "t'ammazzo sindaco" }], noMatch: [{ text: 'Quando passa lo spazzaneve?' }] },
    )
    const { handle, published, lines } = await setup(undefined, await compileRuleset(files, await seedProfiles()))
    const verdict = await handle(message('Ti ammazzo se ti trovo, stronzo'), SUBJECT)
    expect(verdict.action).toBe('report')
    // One explanation per fired rule, in the order of `rules`; the published verdict carries them.
    expect(verdict.explanations?.map((e) => e.rule)).toEqual(verdict.rules)
    expect(ModerationVerdictContract.decode(published[0]?.data as Uint8Array).explanations).toEqual(verdict.explanations)
    const byRule = new Map(verdict.explanations?.map((e) => [e.rule, e]))
    expect(byRule.get('vulgar-language')).toEqual({
      rule: 'vulgar-language',
      category: 'offensive-language',
      conditions: [{ fact: 'tokens', operator: 'containsLexicon', value: 'vulgar', matched: ['stronz*'], words: ['stronzo'] }],
    })
    // A phrase pattern on stems names both terms and the message's words they matched.
    expect(byRule.get('threats-violence-phrase')?.conditions).toContainEqual(
      expect.objectContaining({ fact: 'stems', operator: 'containsNear', matched: ['ti', 'ammazzare'], words: ['ti', 'ammazzo'] }),
    )
    // The classifier: its score against the rule's threshold, and the features behind it.
    const classifier = byRule.get('threats-violence-classifier')?.conditions.find((c) => c.fact === 'classifier.threats-violence')
    expect(classifier).toMatchObject({ operator: 'greaterThanInclusive', threshold: 0.6, features: expect.arrayContaining([expect.any(String)]) })
    expect(classifier?.score).toBeGreaterThanOrEqual(0.6)
    // The words stay in the verdict: never in the log.
    for (const line of lines) expect(line).not.toMatch(/ammazz|stronz/)
  })

  it('gives an allowed message no explanations, and explains a repeat offence with the count it rests on', async () => {
    const { handle } = await setup()
    expect((await handle(message('Quando passa lo spazzaneve?'), SUBJECT)).explanations).toBeUndefined()
    let last
    for (let i = 2; i <= 4; i++) last = await handle(message('vaffanculo', `whatsapp-cloud:wamid.${i}`), SUBJECT)
    expect(last?.action).toBe('block')
    expect(last?.explanations?.find((e) => e.rule === 'repeat-offender')?.conditions).toContainEqual({
      fact: 'senderPastViolations',
      operator: 'greaterThanInclusive',
      value: 2,
      observed: 2,
    })
  })
})
