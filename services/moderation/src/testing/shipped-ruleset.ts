import { fileURLToPath } from 'node:url'
import { loadTenantDirectory } from '@banditore/platform'
import { compileRuleset, type CompileOptions, type CompiledRuleset } from '../ruleset/compiled-ruleset.js'
import { readRulesetDirectory, type RulesetFiles } from '../ruleset/ruleset-files.js'
import { ProfileDirectory } from '../tenant/moderation-profile.js'

/** Test support: the rules shipped in rules/, with the tenants shipped in tenants/. */

export const RULES_DIR = fileURLToPath(new URL('../../../../rules', import.meta.url))
/** The five seed municipalities' configuration (tenants/<id>.json), as every service reads it. */
export const TENANTS_DIR = fileURLToPath(new URL('../../../../tenants', import.meta.url))

let profiles: Promise<ProfileDirectory> | undefined
let files: Promise<RulesetFiles> | undefined

export function seedProfiles(): Promise<ProfileDirectory> {
  profiles ??= loadTenantDirectory(TENANTS_DIR).then((d) => ProfileDirectory.fromTenants(d.all()))
  return profiles
}

export function shippedFiles(): Promise<RulesetFiles> {
  files ??= readRulesetDirectory(RULES_DIR)
  return files
}

export async function shippedRuleset(options: CompileOptions = {}): Promise<CompiledRuleset> {
  return compileRuleset(await shippedFiles(), await seedProfiles(), options)
}

/** A copy of `files` with one file replaced (text or JSON value), or removed (undefined). */
export function withFile(files: RulesetFiles, path: string, content: unknown): Map<string, string> {
  const copy = new Map(files)
  if (content === undefined) copy.delete(path)
  else copy.set(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2))
  return copy
}

/** A message as the CLI and the cases build it, at a fixed Wednesday 10:00 in Rome. */
export const AT = Date.parse('2026-03-11T09:00:00.000Z')
export const input = (text: string, at = AT) => ({ text, channel: 'whatsapp', messageType: 'text', hasMedia: false, at })
