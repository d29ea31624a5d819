import { privacyPolicyVersion } from '@banditore/contracts'
import { describe, expect, it } from 'vitest'
import { unitTenants, VALDORO_PRIVACY } from './fixtures/unit-tenants.js'
import { SignupRejectedError } from './ingest-errors.js'
import { checkSignup, formFieldsFromParams, paperSignupMessage, parsePaperSignupBody, parseWebSignupBody, webSignupMessage } from './signup-form.js'

const tenants = unitTenants()
const POLICY = privacyPolicyVersion(VALDORO_PRIVACY)
const body = (overrides: Record<string, unknown> = {}) =>
  parseWebSignupBody({ tenant: 'valdoro', name: ' Maria\tRossi ', phone: '347-123 4567', topics: ['eventi', 'eventi'], consent: true, policyVersion: POLICY, ...overrides })
const rejection = (run: () => unknown) => {
  try {
    run()
  } catch (error) {
    if (error instanceof SignupRejectedError) return { status: error.statusCode, code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected a rejection')
}

describe('web and paper sign-up forms', () => {
  it('reads a plain HTML form post', () => {
    expect(formFieldsFromParams({ tenant: 'valdoro', 'topics[]': ['eventi', ''], consent: 'on', submit: 'Invia', name: 'A' })).toEqual({
      tenant: 'valdoro',
      name: 'A',
      topics: ['eventi'],
      consent: true,
    })
    expect(formFieldsFromParams({ topics: 'eventi' })).toMatchObject({ topics: ['eventi'], consent: false })
  })

  it('normalizes the number, the name and the topics', () => {
    expect(checkSignup(tenants, body(), 'web')).toMatchObject({ phone: '+393471234567', name: 'Maria Rossi', topics: ['eventi'], language: 'it', policyVersion: POLICY })
  })

  it.each([
    ['an unknown tenant', { tenant: 'nowhere' }, 404, 'UNKNOWN_TENANT'],
    ['a landline-looking impossible number', { phone: '0000' }, 400, 'INVALID_PHONE'],
    ['letters for a number', { phone: 'chiamami' }, 400, 'INVALID_PHONE'],
    ['an unknown topic', { topics: ['sport'] }, 400, 'UNKNOWN_TOPIC'],
    ['no consent', { consent: false }, 400, 'CONSENT_REQUIRED'],
    ['a stale policy version', { policyVersion: privacyPolicyVersion('old') }, 409, 'POLICY_VERSION_STALE'],
    ['a language the tenant lacks', { language: 'fr' }, 400, 'UNKNOWN_LANGUAGE'],
  ])('refuses %s', (_case, overrides, status, code) => {
    expect(rejection(() => checkSignup(tenants, body(overrides), 'web'))).toMatchObject({ status, code })
  })

  it('refuses a door the tenant does not offer, in French for a French form', () => {
    const policy = privacyPolicyVersion('Notice de confidentialité de Montebianco.')
    const paper = parsePaperSignupBody({ tenant: 'montebianco', name: 'Jeanne', phone: '3471234567', topics: [], consent: true, policyVersion: policy, language: 'fr', formReference: 'P-1', signedAt: '2025-01-01' })
    expect(rejection(() => checkSignup(tenants, paper, 'paper'))).toEqual({ status: 403, code: 'DOOR_CLOSED', message: 'Cette commune n’accepte pas les inscriptions sur formulaire papier.' })
  })

  it('refuses a body of the wrong shape, listing the fields', () => {
    const refused = (() => {
      try {
        parseWebSignupBody({ tenant: 'valdoro', consent: 'yes' })
      } catch (error) {
        return error as SignupRejectedError
      }
    })()
    expect(refused).toBeInstanceOf(SignupRejectedError)
    expect(refused?.statusCode).toBe(400)
    expect(refused?.validation?.length).toBeGreaterThan(0)
  })

  it('builds the web InboundMessage with the documented form fields', () => {
    const message = webSignupMessage(checkSignup(tenants, body(), 'web'), 'page-12345678', new Date('2026-03-01T09:00:00Z'))
    expect(message).toEqual({
      version: 1,
      id: 'web-form:valdoro:page-12345678',
      tenant: 'valdoro',
      channel: 'web',
      provider: 'web-form',
      providerMessageId: 'page-12345678',
      from: '+393471234567',
      to: 'web-form:signup',
      type: 'form',
      form: { kind: 'signup', name: 'Maria Rossi', topics: ['eventi'], policyVersion: POLICY, consent: true, language: 'it' },
      sentAt: '2026-03-01T09:00:00.000Z',
      receivedAt: '2026-03-01T09:00:00.000Z',
    })
    // Without a submission id every post is its own message.
    const a = webSignupMessage(checkSignup(tenants, body(), 'web'), undefined, new Date())
    const b = webSignupMessage(checkSignup(tenants, body(), 'web'), undefined, new Date())
    expect(a.id).not.toBe(b.id)
  })

  it('builds the paper InboundMessage keyed by the form reference', () => {
    const paper = parsePaperSignupBody({ tenant: 'valdoro', name: 'Lucia', phone: '0331 123456', topics: [], consent: true, policyVersion: POLICY, formReference: 'URP/7', signedAt: '2026-02-28' })
    const message = paperSignupMessage(checkSignup(tenants, paper, 'paper'), paper, 'urp-anna', new Date('2026-03-01T09:00:00Z'))
    expect(message).toMatchObject({ id: 'paper-form:valdoro:URP/7', channel: 'paper', provider: 'paper-form', providerMessageId: 'URP/7', from: '+390331123456' })
    expect(message.form).toMatchObject({ kind: 'paper-signup', operator: 'urp-anna', formReference: 'URP/7', signedAt: '2026-02-28', enteredAt: '2026-03-01T09:00:00.000Z' })
    const future = { ...paper, signedAt: '2026-03-05' }
    expect(rejection(() => paperSignupMessage(checkSignup(tenants, future, 'paper'), future, 'urp-anna', new Date('2026-03-01T09:00:00Z')))).toMatchObject({ code: 'SIGNED_IN_FUTURE' })
  })
})
