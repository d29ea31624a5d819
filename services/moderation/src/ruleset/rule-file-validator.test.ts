import { describe, expect, it } from 'vitest'
import { RulesetInvalidError, type RulesetIssue } from './ruleset-error.js'
import { parseRuleset } from './ruleset-parser.js'

const RULE = 'default/inbound/vulgar-language.json'
const CASES = 'default/inbound/vulgar-language.cases.json'
const LEXICON = 'lexicon/it/vulgar.json'

const rule = {
  $schema: '../../rule.schema.json',
  name: 'vulgar-language',
  description: 'Parolacce.',
  conditions: { all: [{ fact: 'tokens', operator: 'containsLexicon', value: 'vulgar' }] },
  event: { type: 'delete', params: { category: 'offensive-language' } },
}
const base = new Map<string, string>([
  [LEXICON, JSON.stringify({ $schema: '../../lexicon.schema.json', name: 'vulgar', language: 'it', description: 'd', terms: ['cazzo'] })],
  [RULE, JSON.stringify(rule)],
  [CASES, JSON.stringify({ $schema: '../../cases.schema.json', rule: 'vulgar-language', match: [{ text: 'cazzo' }], noMatch: [{ text: 'ciao' }] })],
])

function issuesOf(changes: Record<string, unknown>): RulesetIssue[] {
  const files = new Map(base)
  for (const [path, content] of Object.entries(changes)) {
    if (content === undefined) files.delete(path)
    else files.set(path, typeof content === 'string' ? content : JSON.stringify(content))
  }
  try {
    parseRuleset(files)
  } catch (error) {
    if (error instanceof RulesetInvalidError) return [...error.issues]
    throw error
  }
  return []
}

const withCondition = (condition: unknown) => ({ ...rule, conditions: { all: [condition] } })

describe('rule file validation', () => {
  it('accepts a valid ruleset', () => {
    expect(issuesOf({})).toEqual([])
  })

  it.each([
    ['a syntax error', '{ "name": ', RULE, '', /is not valid JSON/],
    ['an unknown fact', withCondition({ fact: 'tokenz', operator: 'containsLexicon', value: 'vulgar' }), RULE, '/conditions/all/0/fact', /unknown fact "tokenz"; facts: text, tokens/],
    ['an unknown operator', withCondition({ fact: 'tokens', operator: 'containz', value: 'x' }), RULE, '/conditions/all/0/operator', /unknown operator "containz"/],
    ['an operator that does not apply to the fact', withCondition({ fact: 'wordCount', operator: 'containsLexicon', value: 'vulgar' }), RULE, '/conditions/all/0/operator', /containsLexicon does not apply to wordCount \(a number fact\); use one of: equal/],
    ['a value of the wrong type', withCondition({ fact: 'wordCount', operator: 'greaterThan', value: '3' }), RULE, '/conditions/all/0/value', /must be number/],
    ['a misspelt property', { ...rule, prority: 5 }, RULE, '/prority', /is not a known property/],
    ['a missing event', { ...rule, event: undefined }, RULE, '/event/type', /must be one of: review, delete, block, report/],
    ['an unknown category', { ...rule, event: { type: 'delete', params: { category: 'rudeness' } } }, RULE, '/event/params/category', /must be one of: offensive-language/],
    ['an inbound rule without category', { ...rule, event: { type: 'delete' } }, RULE, '/event/params/category', /only escalation rules may omit/],
    ['an outbound action in an inbound rule', { ...rule, event: { type: 'flag', params: { category: 'spam' } } }, RULE, '/event/type', /inbound rule's event type/],
    ['a name that is not the file name', { ...rule, name: 'vulgar' }, RULE, '/name', /must be "vulgar-language"/],
    ['an unknown lexicon', withCondition({ fact: 'tokens', operator: 'containsLexicon', value: 'vulgarity' }), RULE, '/conditions/all/0/value', /unknown lexicon "vulgarity"; lexicons: vulgar/],
    ['a broken regular expression', withCondition({ fact: 'text', operator: 'matchesAny', value: ['(unclosed'] }), RULE, '/conditions/all/0/value/0', /not a valid regular expression/],
    ['a leaf at the top', { ...rule, conditions: { fact: 'tokens', operator: 'containsLexicon', value: 'vulgar' } }, RULE, '/conditions', /must start with "all", "any" or "not"/],
    ['an empty "any"', { ...rule, conditions: { any: [] } }, RULE, '/conditions/any', /non-empty array/],
    ['messageViolations outside an escalation rule', withCondition({ fact: 'messageViolations', operator: 'greaterThan', value: 0 }), RULE, '/priority', /must be below 10/],
    ['an escalation priority on an ordinary rule', { ...rule, priority: 5 }, RULE, '/priority', /are for escalation rules/],
  ])('refuses %s, naming file, path and reason', (_label, content, file, path, reason) => {
    const issues = issuesOf({ [file]: content })
    expect(issues).toContainEqual({ file, path, reason: expect.stringMatching(reason) })
  })

  it('refuses a rule without cases and cases without a rule', () => {
    expect(issuesOf({ [CASES]: undefined })).toContainEqual({ file: RULE, path: '', reason: expect.stringMatching(/has no cases: add default\/inbound\/vulgar-language.cases.json/) })
    expect(issuesOf({ 'default/inbound/ghost.cases.json': { $schema: 'x', rule: 'ghost', match: [{ text: 'a' }], noMatch: [{ text: 'b' }] } })).toContainEqual({
      file: 'default/inbound/ghost.cases.json',
      path: '',
      reason: 'has no rule: default/inbound/ghost.json does not exist',
    })
  })

  it('refuses cases that name another rule or are empty', () => {
    const issues = issuesOf({ [CASES]: { $schema: 'x', rule: 'other', match: [], noMatch: [{ text: 'b' }] } })
    expect(issues).toContainEqual({ file: CASES, path: '/match', reason: expect.stringMatching(/must NOT have fewer than 1 items|minItems|fewer/) })
  })

  it('refuses lexicon terms that would match ordinary words, with the term path', () => {
    const issues = issuesOf({ [LEXICON]: { $schema: 'x', name: 'vulgar', language: 'it', description: 'd', terms: ['cazzo', 'cul*'] } })
    expect(issues).toContainEqual({ file: LEXICON, path: '/terms/1', reason: expect.stringMatching(/at least 4 letters/) })
  })

  it('refuses a lexicon in the wrong directory and files it does not know', () => {
    expect(issuesOf({ 'lexicon/fr/vulgar.json': { $schema: 'x', name: 'vulgar', language: 'it', description: 'd', terms: ['merde'] } })).toContainEqual({
      file: 'lexicon/fr/vulgar.json',
      path: '/language',
      reason: 'must be "fr", the directory\'s name',
    })
    expect(issuesOf({ 'default/notes.json': {} })).toContainEqual({ file: 'default/notes.json', path: '', reason: expect.stringMatching(/is not a rule, cases, lexicon or schema file/) })
    expect(issuesOf({ 'tenants/Ancona!/inbound/x.json': rule })).toContainEqual({ file: 'tenants/Ancona!/inbound/x.json', path: '', reason: expect.stringMatching(/is not a tenant id/) })
  })
})
