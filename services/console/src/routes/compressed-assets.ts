import { readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join, relative, sep } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
}

export interface CompressedAsset {
  type: string
  br: Buffer
  gzip: Buffer
}

/**
 * Brotli and gzip versions of the SPA's hashed text assets, made once at start (they never change
 * under a name): the console answers staff browsers compressed without a proxy in front. Keys are
 * URL paths (`/assets/index-abc.js`).
 */
export function compressAssets(root: string, directory = 'assets'): Map<string, CompressedAsset> {
  const assets = new Map<string, CompressedAsset>()
  const walk = (dir: string) => {
    let names: string[]
    try {
      names = readdirSync(dir)
    } catch {
      return
    }
    for (const name of names) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) {
        walk(path)
        continue
      }
      const type = TYPES[extname(name)]
      if (!type) continue
      const body = readFileSync(path)
      if (body.length < 1024) continue
      assets.set(`/${relative(root, path).split(sep).join('/')}`, {
        type,
        br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
        gzip: gzipSync(body, { level: 9 }),
      })
    }
  }
  walk(join(root, directory))
  return assets
}

/** The encoding to answer with, from Accept-Encoding (brotli first); undefined: identity. */
export function chooseEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  if (!acceptEncoding) return undefined
  const accepted = new Map(
    acceptEncoding.split(',').map((part) => {
      const [name = '', ...params] = part.trim().toLowerCase().split(';')
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
      return [name.trim(), q ? Number(q.slice(2)) : 1] as const
    }),
  )
  const allowed = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0
  if (allowed('br')) return 'br'
  if (allowed('gzip')) return 'gzip'
  return undefined
}
