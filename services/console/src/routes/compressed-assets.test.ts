import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { chooseEncoding, compressAssets } from './compressed-assets.js'

describe('compressed assets', () => {
  it('compresses hashed text assets under assets/, keyed by URL path', () => {
    const root = mkdtempSync(join(tmpdir(), 'console-assets-'))
    mkdirSync(join(root, 'assets', 'fonts'), { recursive: true })
    const script = `export const x = ${JSON.stringify('a'.repeat(5000))}\n`
    writeFileSync(join(root, 'assets', 'index-abc123.js'), script)
    writeFileSync(join(root, 'assets', 'tiny-abc.css'), 'a{}')
    writeFileSync(join(root, 'assets', 'fonts', 'f-abc.woff2'), Buffer.alloc(4000))
    writeFileSync(join(root, 'index.html'), '<!doctype html>'.repeat(200))
    const assets = compressAssets(root)
    expect([...assets.keys()]).toEqual(['/assets/index-abc123.js'])
    const asset = assets.get('/assets/index-abc123.js')!
    expect(asset.type).toMatch(/^text\/javascript/)
    expect(gunzipSync(asset.gzip).toString()).toBe(script)
    expect(brotliDecompressSync(asset.br).toString()).toBe(script)
    expect(asset.br.length).toBeLessThan(script.length / 10)
  })

  it('prefers brotli, then gzip, honouring q=0', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br')
    expect(chooseEncoding('gzip;q=1.0, br;q=0')).toBe('gzip')
    expect(chooseEncoding('identity')).toBeUndefined()
    expect(chooseEncoding('*')).toBe('br')
    expect(chooseEncoding(undefined)).toBeUndefined()
  })
})
