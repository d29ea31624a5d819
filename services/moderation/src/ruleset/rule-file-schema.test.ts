import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Compile } from 'typebox/compile'
import { describe, expect, it } from 'vitest'
import { RULES_DIR, shippedFiles } from '../testing/shipped-ruleset.js'
import { roleOf } from './ruleset-files.js'
import { generatedSchemaFiles } from './rule-file-schema.js'

describe('the JSON Schemas in rules/', () => {
  it('are what the code generates (run `pnpm --filter @banditore/moderation schema:generate` when this fails)', async () => {
    for (const [name, expected] of generatedSchemaFiles()) {
      expect(await readFile(join(RULES_DIR, name), 'utf8'), `rules/${name} is stale`).toBe(expected)
    }
  })

  it('accept every shipped file, as an editor checking against them would', async () => {
    const validators = new Map<string, ReturnType<typeof Compile>>()
    for (const name of generatedSchemaFiles().keys()) {
      validators.set(name, Compile(JSON.parse(await readFile(join(RULES_DIR, name), 'utf8'))))
    }
    const schemaFor = { rule: 'rule.schema.json', cases: 'cases.schema.json', lexicon: 'lexicon.schema.json' } as const
    let checked = 0
    for (const [path, text] of await shippedFiles()) {
      const role = roleOf(path).role
      if (role === 'schema' || role === 'unknown') continue
      const document = JSON.parse(text) as { $schema: string }
      const schemaName = schemaFor[role]
      expect(document.$schema.endsWith(schemaName), `${path} points at ${document.$schema}`).toBe(true)
      expect(validators.get(schemaName)?.Check(document), path).toBe(true)
      checked++
    }
    expect(checked).toBeGreaterThan(100)
  })

  it('enumerate the facts and operators, and reject a misspelt fact', async () => {
    const schema = JSON.parse(await readFile(join(RULES_DIR, 'rule.schema.json'), 'utf8'))
    const text = JSON.stringify(schema)
    for (const name of ['tokens', 'personalData', 'senderMessagesLastMinute', 'containsLexicon', 'matchesAny', 'anyDomainOutside']) {
      expect(text).toContain(`"const":"${name}"`)
    }
    const rule = {
      $schema: '../../rule.schema.json',
      name: 'x',
      description: 'x',
      conditions: { all: [{ fact: 'tokenz', operator: 'containsLexicon', value: 'vulgar' }] },
      event: { type: 'delete', params: { category: 'spam' } },
    }
    const validator = Compile(schema)
    expect(validator.Check(rule)).toBe(false)
    expect(validator.Check({ ...rule, conditions: { all: [{ fact: 'tokens', operator: 'containsLexicon', value: 'vulgar' }] } })).toBe(true)
  })
})
