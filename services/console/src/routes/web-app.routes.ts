import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { extname, resolve, sep } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { chooseEncoding, compressAssets } from './compressed-assets.js'
import { messagePage } from './message-page.js'
import { ConsoleProblems, sendProblem } from './problem.js'

export interface WebAppOptions {
  /** The built SPA (vite's outDir): index.html and assets/. */
  webDir: string
  /** https consoles also get Strict-Transport-Security. */
  https: boolean
}

/** SHA-256 sources of the inline scripts of index.html, so CSP allows exactly those. */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = []
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const [, attributes = '', content = ''] = match
    if (/\bsrc\s*=/i.test(attributes) || content.trim() === '') continue
    hashes.push(`'sha256-${createHash('sha256').update(content, 'utf8').digest('base64')}'`)
  }
  return hashes
}

export function contentSecurityPolicy(scriptHashes: readonly string[]): string {
  return [
    "default-src 'self'",
    `script-src 'self'${scriptHashes.map((h) => ` ${h}`).join('')}`,
    // Bootstrap Italia's components set style attributes; scripts are what CSP must hold tight.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

const API_OR_AUTH = /^\/(api|auth)(\/|$)/

/**
 * The SPA: hashed assets with a year of immutable caching, every other GET that is not a file
 * answered with index.html (client-side routes), security headers on every answer. Without a
 * build, a 503 page says how to make one.
 */
export async function registerWebApp(app: FastifyInstance, options: WebAppOptions): Promise<void> {
  const root = resolve(options.webDir)
  const indexPath = resolve(root, 'index.html')
  const built = existsSync(indexPath)
  const csp = contentSecurityPolicy(built ? inlineScriptHashes(readFileSync(indexPath, 'utf8')) : [])

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff')
    reply.header('referrer-policy', 'same-origin')
    reply.header('x-frame-options', 'DENY')
    reply.header('cross-origin-opener-policy', 'same-origin')
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()')
    if (options.https) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains')
    const type = String(reply.getHeader('content-type') ?? '')
    if (type.startsWith('text/html') || !API_OR_AUTH.test(request.url)) reply.header('content-security-policy', csp)
  })

  if (!built) {
    app.get('/*', async (request, reply) => {
      if (API_OR_AUTH.test(request.url)) return sendProblem(reply, 404, ConsoleProblems.notFound, `${request.method} ${request.url.split('?')[0]} non esiste`)
      return reply
        .status(503)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(
          messagePage(
            'Console non ancora compilata',
            `L’interfaccia web della console non è stata compilata (manca ${indexPath}). Per compilarla esegui:`,
            undefined,
            'pnpm --filter @banditore/console build:web',
          ),
        )
    })
    return
  }

  const IMMUTABLE = 'public, max-age=31536000, immutable'
  await app.register(fastifyStatic, {
    root,
    serve: false,
    // Vite names assets by content hash: a changed file is a new URL.
    setHeaders: (res, path) => {
      res.header('cache-control', path.startsWith(resolve(root, 'assets') + sep) ? IMMUTABLE : 'no-cache')
    },
  })

  const compressed = compressAssets(root)

  const sendIndex = (reply: FastifyReply) => reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false })

  app.get('/*', async (request, reply) => {
    let path: string
    try {
      path = decodeURIComponent(request.url.split('?')[0] ?? '/')
    } catch {
      return sendProblem(reply, 404, ConsoleProblems.notFound, 'indirizzo non valido')
    }
    if (API_OR_AUTH.test(path)) return sendProblem(reply, 404, ConsoleProblems.notFound, `${request.method} ${path} non esiste`)
    const asset = compressed.get(path)
    const encoding = asset ? chooseEncoding(request.headers['accept-encoding']) : undefined
    if (asset && encoding) {
      return reply.header('cache-control', IMMUTABLE).header('vary', 'accept-encoding').header('content-encoding', encoding).type(asset.type).send(asset[encoding])
    }
    const file = resolve(root, `.${path}`)
    if (file.startsWith(root + sep) && file !== indexPath) {
      const stat = statSync(file, { throwIfNoEntry: false })
      if (stat?.isFile()) return reply.sendFile(file.slice(root.length + 1), root, { cacheControl: false })
    }
    // A missing file (a stale hashed asset) is a 404; anything else is a route of the SPA.
    if (extname(path) !== '') return sendProblem(reply, 404, ConsoleProblems.notFound, `${path} non esiste`)
    return sendIndex(reply)
  })
}
