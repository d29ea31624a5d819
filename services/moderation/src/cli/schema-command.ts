import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generatedSchemaFiles } from '../ruleset/rule-file-schema.js'
import { formatIssue } from '../ruleset/ruleset-error.js'
import { staleSchemas } from './check-command.js'

/** `rules schema --write` (the schema:generate script) writes rules/*.schema.json; without --write, reports staleness. */
export async function schemaCommand(options: { rules: string; write?: boolean }): Promise<void> {
  if (options.write) {
    for (const [name, text] of generatedSchemaFiles()) {
      await writeFile(join(options.rules, name), text)
      console.log(`wrote ${join(options.rules, name)}`)
    }
    return
  }
  const stale = await staleSchemas(options.rules)
  for (const issue of stale) console.log(formatIssue(issue))
  if (stale.length > 0) process.exitCode = 1
  else console.log('schemas are up to date')
}
