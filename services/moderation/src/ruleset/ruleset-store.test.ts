import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { KvWatchEntry } from '@nats-io/kv'
import { afterEach, describe, expect, it } from 'vitest'
import { NO_HISTORY } from '../sender/sender-history.js'
import { input, RULES_DIR, seedProfiles, shippedFiles, shippedRuleset, withFile } from '../testing/shipped-ruleset.js'
import { watchRulesDirectory } from './directory-watch-source.js'
import { watchRulesetBucket, type RulesetBucket } from './kv-bundle-source.js'
import { createBundle, filesOfBundle } from './ruleset-bundle.js'
import { RulesetStore, type RulesetLoadOutcome } from './ruleset-store.js'
import { RulesetInvalidError } from './ruleset-error.js'

const LEXICON = 'lexicon/it/vulgar.json'

async function withExtraVulgarWord(word: string) {
  const files = await shippedFiles()
  const lexicon = JSON.parse(files.get(LEXICON) as string) as { terms: string[] }
  return withFile(files, LEXICON, { ...lexicon, terms: [...lexicon.terms, word] })
}

async function newStore() {
  return new RulesetStore(await shippedRuleset(), await seedProfiles())
}

const actionOf = async (store: RulesetStore, text: string) => (await store.current.moderate('corbetta', input(text), NO_HISTORY)).action

/** The next outcome the store reports. */
const nextOutcome = (store: RulesetStore) =>
  new Promise<RulesetLoadOutcome>((resolve) => {
    const off = store.onChange((outcome) => {
      off()
      resolve(outcome)
    })
  })

describe('RulesetStore', () => {
  it('swaps in a valid ruleset: new version, new decisions', async () => {
    const store = await newStore()
    const before = store.current.version
    expect(await actionOf(store, 'babbuino')).toBe('allow')
    const outcome = await store.load(await withExtraVulgarWord('babbuino'), 'test')
    expect(outcome).toMatchObject({ loaded: true, changed: true })
    expect(store.current.version).not.toBe(before)
    expect(await actionOf(store, 'babbuino')).toBe('delete')
  })

  it('refuses a broken file with file, path and reason, and keeps the rules in force', async () => {
    const store = await newStore()
    const before = store.current
    const rule = 'default/inbound/insults.json'
    const broken = JSON.parse((await shippedFiles()).get(rule) as string)
    broken.conditions.all[0].fact = 'tokenz'
    const reported = nextOutcome(store)
    const outcome = await store.load(withFile(await shippedFiles(), rule, broken), 'test')
    expect(outcome).toMatchObject({ loaded: false, activeVersion: before.version })
    expect(outcome.loaded === false && outcome.issues).toContainEqual({ file: rule, path: '/conditions/all/0/fact', reason: expect.stringMatching(/unknown fact "tokenz"/) })
    expect(await reported).toEqual(outcome)
    expect(store.current).toBe(before)
    expect(await actionOf(store, 'siete degli idioti')).toBe('delete')
  })

  it('keeps the last of several loads', async () => {
    const store = await newStore()
    const first = store.load(await withExtraVulgarWord('babbuino'), 'first')
    const second = store.load(await withExtraVulgarWord('gorilla'), 'second')
    await Promise.all([first, second])
    expect(await actionOf(store, 'gorilla')).toBe('delete')
    expect(await actionOf(store, 'babbuino')).toBe('allow')
  })
})

describe('watchRulesDirectory', () => {
  let dir: string | undefined
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('reloads after an edit, refuses a broken save keeping the rules, and recovers', async () => {
    dir = await mkdtemp(join(tmpdir(), 'moderation-rules-'))
    await cp(RULES_DIR, dir, { recursive: true })
    const store = await newStore()
    const watch = watchRulesDirectory(store, dir, { debounceMs: 50 })
    try {
      const lexiconPath = join(dir, LEXICON)
      const lexicon = JSON.parse(await readFile(lexiconPath, 'utf8')) as { terms: string[] }

      let outcome = nextOutcome(store)
      await writeFile(lexiconPath, JSON.stringify({ ...lexicon, terms: [...lexicon.terms, 'babbuino'] }))
      expect(await outcome).toMatchObject({ loaded: true, changed: true })
      expect(await actionOf(store, 'babbuino')).toBe('delete')
      const good = store.current.version

      outcome = nextOutcome(store)
      await writeFile(lexiconPath, '{ "name": "vulgar", ')
      const refused = await outcome
      expect(refused).toMatchObject({ loaded: false, activeVersion: good })
      expect(refused.loaded === false && refused.issues[0]).toMatchObject({ file: LEXICON, path: '', reason: expect.stringMatching(/not valid JSON/) })
      expect(store.current.version).toBe(good)
      expect(await actionOf(store, 'babbuino')).toBe('delete')

      outcome = nextOutcome(store)
      await writeFile(lexiconPath, JSON.stringify(lexicon))
      expect(await outcome).toMatchObject({ loaded: true })
      expect(await actionOf(store, 'babbuino')).toBe('allow')
    } finally {
      watch.close()
    }
  })
})

/** A KV watcher fed by the test: what `kv.watch()` yields, one entry at a time. */
function fakeBucket() {
  const queue: KvWatchEntry[] = []
  let wake: (() => void) | undefined
  let stopped = false
  const bucket: RulesetBucket = {
    async watch() {
      return {
        stop() {
          stopped = true
          wake?.()
        },
        async *[Symbol.asyncIterator]() {
          while (!stopped) {
            const entry = queue.shift()
            if (entry) yield entry
            else await new Promise<void>((resolve) => (wake = resolve))
          }
        },
      }
    },
  }
  let revision = 0
  const put = (value: Uint8Array, operation: KvWatchEntry['operation'] = 'PUT') => {
    queue.push({ operation, value, revision: ++revision } as KvWatchEntry)
    wake?.()
  }
  return { bucket, put }
}

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))

describe('watchRulesetBucket', () => {
  it('loads published bundles and refuses tampered or invalid ones, keeping the rules in force', async () => {
    const store = await newStore()
    const { bucket, put } = fakeBucket()
    const watch = await watchRulesetBucket(store, bucket, 'active', 'moderation-rulesets')
    try {
      let outcome = nextOutcome(store)
      const published = createBundle(await withExtraVulgarWord('babbuino'), new Date())
      put(encode(published))
      expect(await outcome).toMatchObject({ loaded: true, version: published.rulesetVersion, origin: 'kv moderation-rulesets/active revision 1' })

      outcome = nextOutcome(store)
      put(encode({ ...published, files: { ...published.files, [LEXICON]: '{}' } }))
      expect(await outcome).toMatchObject({ loaded: false, issues: [{ path: '/rulesetVersion', reason: expect.stringMatching(/the files hash to/) }] })

      outcome = nextOutcome(store)
      const invalid = createBundle(withFile(await shippedFiles(), 'default/inbound/insults.cases.json', undefined), new Date())
      put(encode(invalid))
      expect(await outcome).toMatchObject({ loaded: false, issues: [{ file: 'default/inbound/insults.json', reason: expect.stringMatching(/has no cases/) }] })

      outcome = nextOutcome(store)
      put(new Uint8Array(0), 'DEL')
      put(encode({ version: 2 }))
      expect(await outcome).toMatchObject({ loaded: false, origin: 'kv moderation-rulesets/active revision 5' })
      expect(store.current.version).toBe(published.rulesetVersion)
    } finally {
      await watch.stop()
    }
  })

  it('round-trips a bundle and refuses one that breaks its contract', async () => {
    const files = await shippedFiles()
    const bundle = createBundle(files, new Date())
    expect(filesOfBundle(encode(bundle), 'kv')).toEqual(new Map([...files].sort(([a], [b]) => a.localeCompare(b))))
    expect(() => filesOfBundle(encode({ ...bundle, extra: 1 }), 'kv')).toThrow(RulesetInvalidError)
  })
})
