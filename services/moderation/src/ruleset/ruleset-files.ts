import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { RulesetSourceError } from './ruleset-error.js'
import type { RuleDirection } from './rule-file-validator.js'

/**
 * A ruleset as text: every file of rules/ that moderation loads, keyed by its path relative to
 * rules/ with forward slashes. The directory and the KV bundle both become one of these, so both
 * are validated by the same code. The labeled corpus (rules/corpus/) and prose are not part of it.
 */
export type RulesetFiles = ReadonlyMap<string, string>

export type RulesetFileRole =
  | { role: 'schema' }
  | { role: 'rule'; layer: string; direction: RuleDirection; name: string }
  | { role: 'cases'; layer: string; direction: RuleDirection; name: string }
  | { role: 'lexicon'; language: string; name: string }
  | { role: 'unknown' }

/** The layer of the shared rules; a tenant's layer is its directory under rules/tenants/. */
export const DEFAULT_LAYER = ''

const RULE_PATH = /^(?:default|tenants\/([^/]+))\/(inbound|outbound)\/([^/]+?)(\.cases)?\.json$/
const LEXICON_PATH = /^lexicon\/([^/]+)\/([^/]+)\.json$/
const SCHEMA_PATH = /^[^/]+\.schema\.json$/

/** What a file of the ruleset is, from its path. */
export function roleOf(path: string): RulesetFileRole {
  if (SCHEMA_PATH.test(path)) return { role: 'schema' }
  const rule = RULE_PATH.exec(path)
  if (rule) {
    const layer = rule[1] ?? DEFAULT_LAYER
    const direction = rule[2] as RuleDirection
    const name = rule[3] as string
    return rule[4] ? { role: 'cases', layer, direction, name } : { role: 'rule', layer, direction, name }
  }
  const lexicon = LEXICON_PATH.exec(path)
  if (lexicon) return { role: 'lexicon', language: lexicon[1] as string, name: lexicon[2] as string }
  return { role: 'unknown' }
}

/** Whether a path under rules/ belongs to the ruleset (JSON, outside the corpus). */
export function isRulesetPath(path: string): boolean {
  return path.endsWith('.json') && !path.startsWith('corpus/')
}

/**
 * The ruleset version: a content hash of the files that decide verdicts (rules and lexicons;
 * cases and schemas do not change a verdict). Stable across machines: sorted paths, exact bytes.
 */
export function rulesetVersionOf(files: RulesetFiles): string {
  const hash = createHash('sha256')
  for (const path of [...files.keys()].sort()) {
    const role = roleOf(path).role
    if (role !== 'rule' && role !== 'lexicon') continue
    hash.update(path).update('\u0000').update(files.get(path) as string).update('\u0000')
  }
  return `sha256:${hash.digest('hex').slice(0, 16)}`
}

async function walkDirectory(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
}

/** Reads every ruleset file of a rules/ directory. */
export async function readRulesetDirectory(dir: string): Promise<RulesetFiles> {
  let paths: string[]
  try {
    paths = await walkDirectory(dir)
  } catch (cause) {
    throw new RulesetSourceError(`cannot read the rules directory ${dir}`, { cause })
  }
  const files = new Map<string, string>()
  for (const absolute of paths.sort()) {
    const path = relative(dir, absolute).split(sep).join('/')
    if (!isRulesetPath(path)) continue
    try {
      files.set(path, await readFile(absolute, 'utf8'))
    } catch (cause) {
      // A file removed between the listing and the read (an editor saving): read again later.
      throw new RulesetSourceError(`cannot read ${path}`, { cause })
    }
  }
  return files
}
