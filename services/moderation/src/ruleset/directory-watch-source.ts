import { watch, type FSWatcher } from 'node:fs'
import { RulesetSourceError } from './ruleset-error.js'
import { isRulesetPath, readRulesetDirectory } from './ruleset-files.js'
import type { RulesetStore } from './ruleset-store.js'

export interface DirectoryWatch {
  close(): void
  /** Resolves when the reload a change started has finished (for tests and shutdown). */
  settled(): Promise<void>
}

/**
 * Local development: reloads rules/ when a file changes, once the editor has stopped writing for
 * `debounceMs` (saving a file is often several writes). A broken file is refused by the store with
 * its file, path and reason, and the rules in force stay.
 */
export function watchRulesDirectory(store: RulesetStore, dir: string, options: { debounceMs?: number } = {}): DirectoryWatch {
  const debounceMs = options.debounceMs ?? 300
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()
  const reload = () => {
    running = running.then(async () => {
      try {
        await store.load(await readRulesetDirectory(dir), `directory ${dir}`)
      } catch (error) {
        // An unreadable directory (a file renamed mid-save) is refused like a broken file.
        const reason = error instanceof RulesetSourceError ? error.message : `reload failed: ${(error as Error).message}`
        store.refuse(`directory ${dir}`, [{ file: dir, path: '', reason }])
      }
    })
  }
  const watcher: FSWatcher = watch(dir, { recursive: true }, (_event, filename) => {
    const path = filename?.toString().split('\\').join('/')
    if (path && !isRulesetPath(path)) return
    clearTimeout(timer)
    timer = setTimeout(reload, debounceMs)
  })
  return {
    close() {
      clearTimeout(timer)
      watcher.close()
    },
    settled: () => running,
  }
}
