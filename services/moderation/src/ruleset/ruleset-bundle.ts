import { ContractViolationError, RulesetBundleContract, type RulesetBundle } from '@banditore/contracts'
import { RulesetInvalidError } from './ruleset-error.js'
import { rulesetVersionOf, type RulesetFiles } from './ruleset-files.js'

/** The bundle `rules publish` puts into the KV bucket. */
export function createBundle(files: RulesetFiles, createdAt: Date): RulesetBundle {
  return {
    version: 1,
    rulesetVersion: rulesetVersionOf(files),
    createdAt: createdAt.toISOString(),
    files: Object.fromEntries([...files].sort(([a], [b]) => a.localeCompare(b))),
  }
}

/**
 * The files of a bundle read from KV, after checking its contract and that its version is the
 * hash of its content (a hand-edited bundle would otherwise be audited under a false version).
 * Throws RulesetInvalidError naming the bundle.
 */
export function filesOfBundle(data: Uint8Array, origin: string): RulesetFiles {
  let bundle: RulesetBundle
  try {
    bundle = RulesetBundleContract.decode(data)
  } catch (error) {
    if (!(error instanceof ContractViolationError)) throw error
    throw new RulesetInvalidError(
      error.issues.map((i) => ({ file: origin, path: i.path, reason: i.message })),
      { cause: error },
    )
  }
  const files = new Map(Object.entries(bundle.files))
  const actual = rulesetVersionOf(files)
  if (actual !== bundle.rulesetVersion) {
    throw new RulesetInvalidError([
      { file: origin, path: '/rulesetVersion', reason: `says ${bundle.rulesetVersion} but the files hash to ${actual}` },
    ])
  }
  return files
}
