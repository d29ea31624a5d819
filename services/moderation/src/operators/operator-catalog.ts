import Type, { type TSchema } from 'typebox'
import type { FactKind } from '../facts/fact-catalog.js'

/**
 * Every operator a rule may use, with the fact kinds it applies to and the shape of its `value`
 * for each. The built-in ones are json-rules-engine's own; the others are registered in code
 * (custom-operators.ts). The rule files' JSON Schema is generated from this catalog.
 */

export interface OperatorDefinition {
  readonly description: string
  readonly builtIn: boolean
  /** For each fact kind the operator applies to, the schema of the condition's `value`. */
  readonly valueByKind: Partial<Record<FactKind, TSchema>>
}

const ARRAY_KINDS = ['strings', 'tokens', 'domains'] as const

export const LexiconNameSchema = Type.String({
  pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
  description: 'A lexicon: the name of a file in rules/lexicon/<language>/, matched in every language of the tenant.',
})

/** A lexicon, several (any of them), or several with a minimum number of distinct terms found. */
export const LexiconReferenceSchema = Type.Union([
  LexiconNameSchema,
  Type.Array(LexiconNameSchema, { minItems: 1 }),
  Type.Object(
    {
      lexicons: Type.Array(LexiconNameSchema, { minItems: 1 }),
      atLeast: Type.Integer({ minimum: 1, description: 'How many distinct terms must be found.' }),
    },
    { additionalProperties: false },
  ),
])

const LexiconListSchema = Type.Union([LexiconNameSchema, Type.Array(LexiconNameSchema, { minItems: 1 })])

/** A phrase with two slots: a term of one lexicon, then (within a few words) a term of another. */
export const NearReferenceSchema = Type.Object(
  {
    first: { ...LexiconListSchema, description: 'The first slot: a term of this lexicon (or of any of these).' },
    then: { ...LexiconListSchema, description: 'The second slot: a term of this lexicon (or of any of these), after the first.' },
    within: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, description: 'At most this many words from the end of the first to the second (1: adjacent). Default 3.' })),
    ordered: Type.Optional(Type.Boolean({ description: 'false: the second slot may also come first. Default true.' })),
  },
  { additionalProperties: false },
)

const DomainSchema = Type.String({ pattern: '^[a-z0-9-]+(\\.[a-z0-9-]+)+$' })

function forKinds(kinds: readonly FactKind[], schema: TSchema): Partial<Record<FactKind, TSchema>> {
  return Object.fromEntries(kinds.map((kind) => [kind, schema]))
}

const scalarEquality = {
  string: Type.String(),
  number: Type.Number(),
  boolean: Type.Boolean(),
}
const numeric = { number: Type.Number() }

export const OPERATORS = {
  equal: { builtIn: true, description: 'The fact equals the value.', valueByKind: scalarEquality },
  notEqual: { builtIn: true, description: 'The fact differs from the value.', valueByKind: scalarEquality },
  lessThan: { builtIn: true, description: 'The fact is below the value.', valueByKind: numeric },
  lessThanInclusive: { builtIn: true, description: 'The fact is at most the value.', valueByKind: numeric },
  greaterThan: { builtIn: true, description: 'The fact is above the value.', valueByKind: numeric },
  greaterThanInclusive: { builtIn: true, description: 'The fact is at least the value.', valueByKind: numeric },
  in: {
    builtIn: true,
    description: 'The fact is one of the values.',
    valueByKind: {
      string: Type.Array(Type.String(), { minItems: 1 }),
      number: Type.Array(Type.Number(), { minItems: 1 }),
    },
  },
  notIn: {
    builtIn: true,
    description: 'The fact is none of the values.',
    valueByKind: {
      string: Type.Array(Type.String(), { minItems: 1 }),
      number: Type.Array(Type.Number(), { minItems: 1 }),
    },
  },
  contains: {
    builtIn: true,
    description: 'The list fact has the value as one of its items.',
    valueByKind: forKinds(ARRAY_KINDS, Type.String({ minLength: 1 })),
  },
  doesNotContain: {
    builtIn: true,
    description: 'The list fact does not have the value among its items.',
    valueByKind: forKinds(ARRAY_KINDS, Type.String({ minLength: 1 })),
  },
  containsLexicon: {
    builtIn: false,
    description:
      'The tokens contain a term of the lexicon(s), as whole words or word sequences after normalization; with atLeast, that many distinct terms.',
    valueByKind: { tokens: LexiconReferenceSchema },
  },
  containsNear: {
    builtIn: false,
    description:
      'A phrase with slots: a term of the `first` lexicon(s) followed within `within` words by a term of the `then` lexicon(s), e.g. a second-person pronoun near a violence verb. On `stems`, terms match every inflection.',
    valueByKind: { tokens: NearReferenceSchema },
  },
  matchesAny: {
    builtIn: false,
    description:
      'The text matches one of the regular expressions (JavaScript syntax, Unicode, case-insensitive), written against the normalized text.',
    valueByKind: { string: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }) },
  },
  intersects: {
    builtIn: false,
    description: 'The list fact has at least one of the values.',
    valueByKind: forKinds(ARRAY_KINDS, Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
  },
  anyDomainOutside: {
    builtIn: false,
    description: 'At least one of the domains is neither one of the values nor a subdomain of one.',
    valueByKind: { domains: Type.Array(DomainSchema, { minItems: 1 }) },
  },
} as const satisfies Record<string, OperatorDefinition>

export type OperatorName = keyof typeof OPERATORS
export const OPERATOR_NAMES = Object.keys(OPERATORS) as OperatorName[]

export function isOperatorName(name: string): name is OperatorName {
  return Object.hasOwn(OPERATORS, name)
}

/** The fact kinds an operator applies to. */
export function kindsOf(operator: OperatorName): FactKind[] {
  return Object.keys(OPERATORS[operator].valueByKind) as FactKind[]
}
