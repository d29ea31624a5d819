import fastifyCookie from '@fastify/cookie'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { sessionCookies } from './session-cookies.js'

async function setCookieOf(secure: boolean): Promise<string> {
  const app = Fastify()
  await app.register(fastifyCookie)
  const cookies = sessionCookies(secure)
  app.get('/', async (_request, reply) => cookies.setSession(reply, 'value').send('ok'))
  const response = await app.inject({ method: 'GET', url: '/' })
  return String(response.headers['set-cookie'])
}

describe('session cookie', () => {
  it('is __Host- prefixed, Secure, HttpOnly, SameSite=Lax, Path=/ by default', async () => {
    const header = await setCookieOf(true)
    expect(header).toMatch(/^__Host-banditore_session=value;/)
    expect(header).toContain('Secure')
    expect(header).toContain('HttpOnly')
    expect(header).toContain('SameSite=Lax')
    expect(header).toContain('Path=/')
    expect(header).not.toContain('Domain')
    expect(header).not.toContain('Max-Age')
  })

  it('drops the prefix and Secure only for a local http console', async () => {
    const header = await setCookieOf(false)
    expect(header).toMatch(/^banditore_session=value;/)
    expect(header).not.toContain('Secure')
    expect(header).toContain('HttpOnly')
  })
})
