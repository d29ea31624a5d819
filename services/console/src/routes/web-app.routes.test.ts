import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy, inlineScriptHashes, registerWebApp } from './web-app.routes.js'

async function appOver(webDir: string) {
  const app = Fastify()
  await registerWebApp(app, { webDir, https: false })
  app.get('/auth/session', async () => ({ ok: true }))
  return app
}

function builtSpa(): string {
  const dir = mkdtempSync(join(tmpdir(), 'console-web-'))
  mkdirSync(join(dir, 'assets'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html lang="it"><body><div id="root"></div><script type="module" src="/assets/index-abc.js"></script></body></html>')
  writeFileSync(join(dir, 'assets', 'index-abc.js'), `console.log(${JSON.stringify('x'.repeat(4000))})`)
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  return dir
}

describe('web app routes', () => {
  it('answers SPA routes with index.html, no-cache, and the security headers', async () => {
    const app = await appOver(builtSpa())
    const page = await app.inject({ method: 'GET', url: '/comunicazioni/nuova?x=1' })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<div id="root">')
    expect(page.headers['cache-control']).toBe('no-cache')
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(page.headers['content-security-policy']).toContain("script-src 'self';")
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    expect(page.headers['referrer-policy']).toBe('same-origin')
    expect(page.headers['strict-transport-security']).toBeUndefined()
    expect((await app.inject({ method: 'GET', url: '/auth/session' })).json()).toEqual({ ok: true })
  })

  it('serves hashed assets immutable, compressed when the browser accepts it', async () => {
    const app = await appOver(builtSpa())
    const plain = await app.inject({ method: 'GET', url: '/assets/index-abc.js' })
    expect(plain.statusCode).toBe(200)
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(plain.headers['content-encoding']).toBeUndefined()
    const br = await app.inject({ method: 'GET', url: '/assets/index-abc.js', headers: { 'accept-encoding': 'gzip, br' } })
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers.vary).toBe('accept-encoding')
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length)
    const icon = await app.inject({ method: 'GET', url: '/favicon.svg' })
    expect(icon.statusCode).toBe(200)
    expect(icon.headers['cache-control']).toBe('no-cache')
  })

  it('answers 404 for a missing file, an unknown API path, and a path escaping the root', async () => {
    const app = await appOver(builtSpa())
    expect((await app.inject({ method: 'GET', url: '/assets/index-old.js' })).statusCode).toBe(404)
    const api = await app.inject({ method: 'GET', url: '/api/nothing' })
    expect(api.statusCode).toBe(404)
    expect(api.headers['content-type']).toContain('application/problem+json')
    const escape = await app.inject({ method: 'GET', url: '/..%2f..%2fetc%2fpasswd' })
    expect(escape.body).not.toContain('root:')
  })

  it('tells how to build the SPA when it is missing', async () => {
    const app = await appOver(join(tmpdir(), 'console-web-missing-dir'))
    const page = await app.inject({ method: 'GET', url: '/' })
    expect(page.statusCode).toBe(503)
    expect(page.headers['content-type']).toContain('text/html')
    expect(page.body).toContain('pnpm --filter @banditore/console build:web')
    expect(page.body).toContain('lang="it"')
  })

  it('allows exactly the inline scripts of index.html by hash', () => {
    const hashes = inlineScriptHashes('<script>alert(1)</script><script type="module" src="/a.js"></script><script> </script>')
    expect(hashes).toEqual(["'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"])
    expect(contentSecurityPolicy(hashes)).toContain(`script-src 'self' ${hashes[0]};`)
  })
})
