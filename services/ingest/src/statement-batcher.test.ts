import { describe, expect, it } from 'vitest'
import { StatementBatcher } from './statement-batcher.js'

/** A statement we finish by hand, to control concurrency. */
function controlled() {
  const calls: Array<{ keys: number[]; finish: (value: number[]) => void; fail: (error: Error) => void }> = []
  const execute = (keys: number[]) =>
    new Promise<number[]>((resolve, reject) => calls.push({ keys, finish: resolve, fail: reject }))
  return { calls, execute }
}
const tick = () => new Promise((r) => setTimeout(r, 0))

describe('StatementBatcher', () => {
  it('runs a lone caller at once, then coalesces callers that arrive while statements run', async () => {
    const { calls, execute } = controlled()
    const batcher = new StatementBatcher(execute, { maxConcurrent: 1, maxKeys: 100 })
    const first = batcher.run([1])
    await tick()
    expect(calls.map((c) => c.keys)).toEqual([[1]])

    const waiting = [batcher.run([2, 3]), batcher.run([4]), batcher.run([5])]
    await tick()
    expect(calls).toHaveLength(1)
    calls[0]?.finish([1])
    await expect(first).resolves.toEqual([1])
    await tick()
    expect(calls.map((c) => c.keys)).toEqual([[1], [2, 3, 4, 5]])
    calls[1]?.finish([2, 3, 4, 5])
    await expect(Promise.all(waiting)).resolves.toEqual([[2, 3, 4, 5], [2, 3, 4, 5], [2, 3, 4, 5]])
  })

  it('never puts more than maxKeys in one statement, nor splits a caller', async () => {
    const { calls, execute } = controlled()
    const batcher = new StatementBatcher(execute, { maxConcurrent: 1, maxKeys: 3 })
    void batcher.run([0])
    const later = [batcher.run([1, 2]), batcher.run([3, 4]), batcher.run([5, 6, 7, 8])]
    await tick()
    for (let i = 0; i < 4; i++) {
      calls[i]?.finish([])
      await tick()
      await tick()
    }
    await Promise.all(later)
    expect(calls.map((c) => c.keys)).toEqual([[0], [1, 2], [3, 4], [5, 6, 7, 8]])
  })

  it('runs up to maxConcurrent statements at once', async () => {
    const { calls, execute } = controlled()
    const batcher = new StatementBatcher(execute, { maxConcurrent: 2, maxKeys: 10 })
    void batcher.run([1])
    void batcher.run([2])
    void batcher.run([3])
    await tick()
    expect(calls.map((c) => c.keys)).toEqual([[1], [2]])
  })

  it('rejects every caller of a failed statement, and goes on with the next', async () => {
    const { calls, execute } = controlled()
    const batcher = new StatementBatcher(execute, { maxConcurrent: 1, maxKeys: 10 })
    const first = batcher.run([1])
    const second = batcher.run([2])
    await tick()
    calls[0]?.fail(new Error('connection reset'))
    await expect(first).rejects.toThrow('connection reset')
    await tick()
    calls[1]?.finish([2])
    await expect(second).resolves.toEqual([2])
  })

  it('turns a synchronous throw into a rejection', async () => {
    const batcher = new StatementBatcher<number, void>(() => {
      throw new Error('bad statement')
    }, { maxConcurrent: 1, maxKeys: 10 })
    await expect(batcher.run([1])).rejects.toThrow('bad statement')
  })
})
