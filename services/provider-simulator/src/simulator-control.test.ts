import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ProviderSimulator } from './provider-simulator.js'
import { buildSimulatorApp, type SimulatorApp } from './simulator-app.js'

const token = 'EAAG-token'
let built: SimulatorApp
let sim: ProviderSimulator

const graphSend = (to: string, correlation: string, authorization = `Bearer ${token}`) =>
  built.app.inject({
    method: 'POST',
    url: '/v21.0/pn-1/messages',
    headers: { authorization },
    payload: {
      messaging_product: 'whatsapp',
      to,
      type: 'template',
      template: { name: 'avviso', language: { code: 'it' } },
      biz_opaque_callback_data: correlation,
    },
  })

beforeAll(async () => {
  sim = new ProviderSimulator({ defaultThroughputPerSecond: 1000 })
  built = buildSimulatorApp(sim)
  await built.app.ready()
})
afterAll(async () => {
  sim.close()
  await built.app.close()
})

describe('simulator HTTP: provider endpoints', () => {
  it('registers a sender over /_sim and accepts sends with its token', async () => {
    const registered = await built.app.inject({
      method: 'POST',
      url: '/_sim/senders/whatsapp',
      payload: { phoneNumberId: 'pn-1', displayPhoneNumber: '+390306781234', accessToken: token, templates: [{ name: 'avviso', language: 'it' }] },
    })
    expect(registered.statusCode).toBe(204)
    const response = await graphSend('393331234567', 'b1:r1')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      messaging_product: 'whatsapp',
      contacts: [{ input: '393331234567', wa_id: '393331234567' }],
      messages: [{ id: expect.stringMatching(/^wamid\./), message_status: 'accepted' }],
    })
    const senders = await built.app.inject({ url: '/_sim/senders' })
    expect(senders.json().whatsapp).toEqual([{ phoneNumberId: 'pn-1', displayPhoneNumber: '+390306781234' }])
  })

  it('answers a wrong token with Graph’s 401 OAuthException (code 190)', async () => {
    const response = await graphSend('393331234567', 'x', 'Bearer nope')
    expect(response.statusCode).toBe(401)
    expect(response.json()).toEqual({
      error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: expect.any(String) },
    })
    expect((await graphSend('393331234567', 'x', '')).statusCode).toBe(401)
  })

  it('answers a bad body with (#100) Invalid parameter, and an unknown version', async () => {
    const response = await built.app.inject({
      method: 'POST',
      url: '/v21.0/pn-1/messages',
      headers: { authorization: `Bearer ${token}` },
      payload: { to: '393331234567', type: 'text', text: { body: 'x' } },
    })
    expect(response.statusCode).toBe(400)
    expect(response.json().error).toMatchObject({ code: 100, type: 'OAuthException', message: '(#100) Invalid parameter' })
    const version = await built.app.inject({ method: 'POST', url: '/latest/pn-1/messages', headers: { authorization: `Bearer ${token}` }, payload: {} })
    expect(version.statusCode).toBe(400)
  })

  it('answers Twilio paths with Twilio’s 401 (20003) for unknown accounts', async () => {
    const response = await built.app.inject({
      method: 'POST',
      url: '/2010-04-01/Accounts/ACnope/Messages.json',
      headers: { authorization: `Basic ${Buffer.from('ACnope:x').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'To=%2B393331234567&From=%2B390306781234&Body=x',
    })
    expect(response.statusCode).toBe(401)
    expect(response.json()).toEqual({
      code: 20003,
      message: 'Authentication Error - invalid username',
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: 401,
      detail: 'Your AccountSid or AuthToken was incorrect.',
    })
  })
})

describe('simulator HTTP: control endpoints', () => {
  it('queries the record by correlation prefix and recipient, with stats and duplicates', async () => {
    sim.reset()
    await graphSend('393331234567', 'b2:r1')
    await graphSend('393331234568', 'b2:r2')
    await graphSend('393331234567', 'b2:r1')
    await graphSend('393331234569', 'b3:r1')
    const messages = await built.app.inject({ url: '/_sim/messages?correlationPrefix=b2:&limit=10' })
    expect(messages.json().count).toBe(3)
    const forRecipient = await built.app.inject({ url: `/_sim/messages?to=${encodeURIComponent('+393331234567')}` })
    expect(forRecipient.json().messages.map((m: { correlation: string }) => m.correlation)).toEqual(['b2:r1', 'b2:r1'])
    const stats = await built.app.inject({ url: '/_sim/stats?correlationPrefix=b2:' })
    expect(stats.json().record).toMatchObject({ total: 3, distinctCorrelations: 2, duplicateCorrelations: 1, duplicateMessages: 1, distinctRecipients: 2 })
    const duplicates = await built.app.inject({ url: '/_sim/duplicates' })
    expect(duplicates.json().duplicates).toEqual([{ correlation: 'b2:r1', count: 2, providerMessageIds: [expect.any(String), expect.any(String)] }])
    const throughput = await built.app.inject({ url: '/_sim/throughput?windowMs=1000' })
    expect(throughput.json()).toEqual({ windowMs: 1000, maxInWindow: { 'pn-1': 4 } })
    const id = messages.json().messages[0].providerMessageId as string
    expect((await built.app.inject({ url: `/_sim/messages/${encodeURIComponent(id)}` })).json().correlation).toBe('b2:r1')
    expect((await built.app.inject({ url: '/_sim/messages/wamid.none' })).statusCode).toBe(404)
  })

  it('sets, shows and clears faults; refuses bad plans as problem+json', async () => {
    const set = await built.app.inject({ method: 'PUT', url: '/_sim/faults', payload: { rules: [{ action: 'error', errorCode: 131026, rate: 1, count: 1 }] } })
    expect(set.statusCode).toBe(200)
    expect((await graphSend('393331234567', 'fault')).json().error.code).toBe(131026)
    expect((await graphSend('393331234567', 'fault-2')).statusCode).toBe(200)
    expect((await built.app.inject({ url: '/_sim/faults' })).json()).toMatchObject({ rules: [{ action: 'error', errorCode: 131026 }], applied: [1] })
    const bad = await built.app.inject({ method: 'PUT', url: '/_sim/faults', payload: { rules: [{ action: 'error' }] } })
    expect(bad.statusCode).toBe(400)
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/)
    expect(bad.json()).toMatchObject({ status: 400, detail: expect.stringContaining('errorCode') })
    expect((await built.app.inject({ method: 'DELETE', url: '/_sim/faults' })).statusCode).toBe(204)
    expect((await built.app.inject({ url: '/_sim/faults' })).json().rules).toEqual([])
  })

  it('changes limits at run time', async () => {
    const response = await built.app.inject({ method: 'PUT', url: '/_sim/limits', payload: { sender: 'pn-1', throughputPerSecond: 2, pairRatePerSecond: 5 } })
    expect(response.json()).toMatchObject({ pairRatePerSecond: 5, perSender: { 'pn-1': 2 } })
    sim.reset()
    const codes = []
    for (let i = 0; i < 3; i++) codes.push((await graphSend(`39333123456${i}`, `l${i}`)).statusCode)
    expect(codes).toEqual([200, 200, 400])
    expect(sim.stats().rejections.throttled).toBe(1)
    await built.app.inject({ method: 'PUT', url: '/_sim/limits', payload: { sender: 'pn-1', throughputPerSecond: 1000, pairRatePerSecond: null } })
    expect((await built.app.inject({ url: '/_sim/limits' })).json().pairRatePerSecond).toBeUndefined()
  })

  it('refuses injections it cannot deliver, and bad control bodies', async () => {
    const noWebhook = await built.app.inject({ method: 'POST', url: '/_sim/inbound/whatsapp', payload: { to: 'pn-1', from: '+393331234567', text: 'ciao' } })
    expect(noWebhook.statusCode).toBe(409)
    const unknown = await built.app.inject({ method: 'POST', url: '/_sim/inbound/sms', payload: { to: '+390300000000', from: '+393331234567', body: 'x' } })
    expect(unknown.statusCode).toBe(404)
    const bad = await built.app.inject({ method: 'POST', url: '/_sim/inbound/sms', payload: { to: 1 } })
    expect(bad.statusCode).toBe(400)
    const status = await built.app.inject({ method: 'POST', url: '/_sim/status', payload: { providerMessageId: 'wamid.none', state: 'read' } })
    expect(status.json()).toEqual({ ok: false, reason: 'unknown message' })
  })

  it('names the field at fault, and answers an unknown number 404 Not Found saying what to give', async () => {
    // A first-time user's guess: `body` instead of WhatsApp's `text`.
    const guessed = await built.app.inject({ method: 'POST', url: '/_sim/inbound/whatsapp', payload: { to: 'pn-1', from: '+393331234567', body: 'ciao' } })
    expect(guessed.statusCode).toBe(400)
    expect(guessed.headers['content-type']).toContain('application/problem+json')
    expect(guessed.json()).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: '/body is not a field of this request (its fields: to, from, fromUserId, profileName, text, message, reply, messageId)',
      errors: [{ field: '/body', message: 'is not a field of this request (its fields: to, from, fromUserId, profileName, text, message, reply, messageId)' }],
    })
    const missing = await built.app.inject({ method: 'POST', url: '/_sim/inbound/sms', payload: { to: '+390300000000' } })
    expect(missing.json().errors).toEqual([
      { field: '/from', message: 'is required' },
      { field: '/body', message: 'is required' },
    ])
    const unknown = await built.app.inject({ method: 'POST', url: '/_sim/inbound/whatsapp', payload: { to: '+390300000000', from: '+393331234567', text: 'ciao' } })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toMatchObject({ title: 'Not Found', status: 404, detail: expect.stringContaining('no WhatsApp number +390300000000 is registered') })
    const unknownMessage = await built.app.inject({ url: '/_sim/messages/wamid.none' })
    expect(unknownMessage.json()).toMatchObject({ title: 'Not Found', detail: expect.stringContaining('wamid.none') })
  })

  it('documents itself: an OpenAPI 3.1 document with examples, and a page', async () => {
    const document = (await built.app.inject({ url: '/_sim/openapi.json' })).json()
    expect(document.openapi).toBe('3.1.0')
    const inject = document.paths['/_sim/inbound/whatsapp'].post
    expect(inject.requestBody.content['application/json'].example).toMatchObject({ text: 'ISCRIVIMI' })
    expect(Object.keys(inject.requestBody.content['application/json'].schema.properties)).toEqual(['to', 'from', 'fromUserId', 'profileName', 'text', 'message', 'reply', 'messageId'])
    expect(document.paths['/_sim/inbound/sms'].post.requestBody.content['application/json'].schema.required).toEqual(['to', 'from', 'body'])
    expect(inject.responses['404'].content['application/problem+json']).toBeDefined()
    expect(document.paths['/_sim/templates/{account}/{name}'].patch.parameters.map((p: { name: string }) => p.name)).toEqual(['account', 'name'])
    const page = await built.app.inject({ url: '/_sim/docs' })
    expect(page.headers['content-type']).toContain('text/html')
    expect(page.body).toContain('POST /_sim/inbound/sms')
  })

  it('resets, settles and reports health; unknown paths are 404 in the right dialect', async () => {
    expect((await built.app.inject({ method: 'POST', url: '/_sim/reset' })).statusCode).toBe(204)
    expect((await built.app.inject({ url: '/_sim/health' })).json()).toEqual({ status: 'ok', accepted: 0 })
    expect((await built.app.inject({ method: 'POST', url: '/_sim/settle?timeoutMs=100' })).json()).toMatchObject({ settled: true })
    expect((await built.app.inject({ url: '/_sim/nothing' })).json()).toMatchObject({ status: 404 })
    expect((await built.app.inject({ url: '/v21.0/pn-1/nothing' })).json()).toMatchObject({ error: { code: 2500 } })
  })
})
