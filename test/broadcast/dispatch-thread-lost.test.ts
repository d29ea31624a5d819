import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createProviderDispatcher } from '@banditore/workflows'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

describe('a provider dispatch thread that dies', () => {
  const arrived: string[] = []
  const server = http.createServer((req, res) => {
    arrived.push(req.url ?? '')
    res.end('ok')
  })
  let url: string

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => server.close())

  it('fails what it held as possibly sent, and the next request gets a new thread', async () => {
    const dispatcher = createProviderDispatcher({ threadEntry: new URL('./fixtures/dispatch-thread-that-dies.ts', import.meta.url) })
    try {
      await dispatcher.ready()
      const soon = performance.timeOrigin + performance.now() + 200
      const held = dispatcher(`${url}/held`, { method: 'POST', body: 'a', dispatch: { at: soon, lateMs: 50 } })
      const dying = dispatcher(`${url}/die`, { method: 'POST', body: 'b', dispatch: { at: soon, lateMs: 50 } })
      for (const lost of [held, dying]) {
        const error = await lost.catch((e: unknown) => e)
        expect(error).toBeInstanceOf(Error)
        expect((error as Error).message).toMatch(/provider dispatch thread exited with code 3/)
        // No Node error code: the adapters count it as possibly sent, never as safely unsent.
        expect(error).not.toHaveProperty('code')
      }
      const after = await dispatcher(`${url}/after`, { method: 'POST', body: 'c' })
      expect(after.status).toBe(200)
      expect(await after.text()).toBe('ok')
      expect(arrived).toEqual(['/after'])
    } finally {
      await dispatcher.close()
    }
  })
})
