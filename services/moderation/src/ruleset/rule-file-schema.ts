import { ChannelSchema, MODERATION_CATEGORIES } from '@banditore/contracts'
import Type, { type TSchema } from 'typebox'
import { FACTS, factsOfKind, type FactKind } from '../facts/fact-catalog.js'
import { OPERATOR_NAMES, OPERATORS, type OperatorName } from '../operators/operator-catalog.js'

/**
 * The schemas of the files policy editors write: rules, their cases, lexicons. Built from the
 * fact and operator catalogs; `rules schema --write` (the `schema:generate` script) writes them
 * to rules/*.schema.json, and a test fails when the committed files are stale.
 */

export const RuleNameSchema = Type.String({
  pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
  description: 'Stable, kebab-case, the same as the file name; verdicts cite it.',
})

export const CategorySchema = Type.Union(
  MODERATION_CATEGORIES.map((c) => Type.Literal(c)),
  { description: 'The policy category the rule enforces.' },
)

export const InboundEventSchema = Type.Object(
  {
    type: Type.Union(
      [
        Type.Literal('review', { description: 'Hold the message for the staff desk.' }),
        Type.Literal('delete', { description: 'Drop the message: not processed further.' }),
        Type.Literal('block', { description: 'Drop the message and block the sender.' }),
        Type.Literal('report', { description: 'Drop, block, and flag for the authorities.' }),
      ],
      { description: 'The action; the verdict takes the most severe of the rules that fired.' },
    ),
    params: Type.Optional(
      Type.Object(
        { category: Type.Optional(CategorySchema) },
        { additionalProperties: false, description: 'Escalation rules (priority below 10) may omit the category.' },
      ),
    ),
  },
  { additionalProperties: false },
)

export const OutboundEventSchema = Type.Object(
  {
    type: Type.Literal('flag', { description: 'Flag the broadcast draft with the category.' }),
    params: Type.Object({ category: CategorySchema }, { additionalProperties: false }),
  },
  { additionalProperties: false },
)

const CONDITION_REF = '#/$defs/condition'

function factChoice(kind: FactKind): TSchema {
  const names = factsOfKind([kind])
  const literals = names.map((name) => Type.Literal(name, { description: FACTS[name].description }))
  return literals.length === 1 ? (literals[0] as TSchema) : Type.Union(literals)
}

export interface LeafVariant {
  readonly operator: OperatorName
  readonly kind: FactKind
  readonly schema: TSchema
}

/** One schema per operator and fact kind: `{ fact, operator, value }` with the value's shape. */
export const LEAF_VARIANTS: readonly LeafVariant[] = OPERATOR_NAMES.flatMap((operator) => {
  const definition = OPERATORS[operator]
  return (Object.entries(definition.valueByKind) as [FactKind, TSchema][]).map(([kind, value]) => ({
    operator,
    kind,
    schema: Type.Object(
      {
        fact: factChoice(kind),
        operator: Type.Literal(operator, { description: definition.description }),
        value,
      },
      { additionalProperties: false },
    ),
  }))
})

const booleanNode = (key: 'all' | 'any') =>
  Type.Object(
    {
      [key]: Type.Array(Type.Ref(CONDITION_REF), {
        minItems: 1,
        description: key === 'all' ? 'Every condition holds.' : 'At least one condition holds.',
      }),
    },
    { additionalProperties: false },
  )
export const AllNodeSchema = booleanNode('all')
export const AnyNodeSchema = booleanNode('any')
export const NotNodeSchema = Type.Object(
  { not: Type.Ref(CONDITION_REF, { description: 'The condition does not hold.' }) },
  { additionalProperties: false },
)

export const ConditionSchema = Type.Union([AllNodeSchema, AnyNodeSchema, NotNodeSchema, ...LEAF_VARIANTS.map((v) => v.schema)])

const ruleProperties = {
  $schema: Type.String({ description: 'Relative path to rules/rule.schema.json, for editors.' }),
  name: RuleNameSchema,
  description: Type.String({ minLength: 1, description: 'What the rule catches and why, for the staff reading verdicts.' }),
  policy: Type.Optional(Type.String({ description: "The clause of the municipality's policy the rule enforces." })),
  priority: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 100,
      default: 50,
      description: 'Higher runs first. Escalation rules that test messageViolations use 1 to 9; every other rule 10 to 100.',
    }),
  ),
}

/** A rule file without its conditions and event, which the validator walks on its own. */
export const RuleHeaderSchema = Type.Object(
  { ...ruleProperties, conditions: Type.Unknown(), event: Type.Unknown() },
  { additionalProperties: false },
)

export const RuleFileSchema = Type.Object(
  {
    ...ruleProperties,
    conditions: Type.Union([AllNodeSchema, AnyNodeSchema, NotNodeSchema], {
      description: 'json-rules-engine conditions: all, any or not at the top.',
    }),
    event: Type.Union([InboundEventSchema, OutboundEventSchema], {
      description: 'Inbound rules: review, delete, block or report. Outbound rules: flag.',
    }),
  },
  {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'rule.schema.json',
    title: 'Banditore moderation rule',
    description: 'One json-rules-engine rule per file; its cases are in <name>.cases.json beside it.',
    additionalProperties: false,
    $defs: { condition: ConditionSchema },
  },
)

export const RuleCaseSchema = Type.Object(
  {
    text: Type.String({ description: 'The message as a citizen (or the broadcast draft) writes it.' }),
    note: Type.Optional(Type.String({ description: 'Why this case is here.' })),
    channel: Type.Optional(ChannelSchema),
    messageType: Type.Optional(Type.String()),
    hasMedia: Type.Optional(Type.Boolean()),
    sentAt: Type.Optional(Type.String({ format: 'date-time', description: 'Default: a Wednesday at 10:00 Rome time.' })),
    sender: Type.Optional(
      Type.Object(
        {
          pastViolations: Type.Optional(Type.Integer({ minimum: 0 })),
          recent: Type.Optional(
            Type.Array(
              Type.Object(
                { text: Type.String(), secondsAgo: Type.Number({ exclusiveMinimum: 0 }) },
                { additionalProperties: false },
              ),
            ),
          ),
          flood: Type.Optional(
            Type.Object(
              {
                count: Type.Integer({ minimum: 1, maximum: 1000 }),
                withinSeconds: Type.Number({ exclusiveMinimum: 0 }),
              },
              { additionalProperties: false, description: 'That many different earlier messages, spread over the window.' },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)

export const CasesFileSchema = Type.Object(
  {
    $schema: Type.String(),
    rule: RuleNameSchema,
    match: Type.Array(RuleCaseSchema, { minItems: 1, description: 'Messages the rule must fire on.' }),
    noMatch: Type.Array(RuleCaseSchema, { minItems: 1, description: 'Messages the rule must not fire on.' }),
  },
  {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'cases.schema.json',
    title: 'Banditore moderation rule cases',
    additionalProperties: false,
  },
)

export const LexiconFileSchema = Type.Object(
  {
    $schema: Type.String(),
    name: RuleNameSchema,
    language: Type.String({ pattern: '^[a-z]{2}$', description: 'The directory it lives in: rules/lexicon/<language>/.' }),
    description: Type.String({ minLength: 1 }),
    terms: Type.Array(
      Type.String({
        minLength: 1,
        maxLength: 100,
        pattern: "^[^*]+\\*?$|^[^*]+( [^*]+)*\\*$",
        description: 'A word, a word prefix ending in * (4 letters or more), or words in sequence.',
      }),
      { minItems: 1, uniqueItems: true },
    ),
  },
  {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'lexicon.schema.json',
    title: 'Banditore moderation lexicon',
    additionalProperties: false,
  },
)

/** The generated files, by name under rules/, as they are committed. */
export function generatedSchemaFiles(): Map<string, string> {
  // Draft, id and title first: the order an editor shows them in.
  const text = (schema: TSchema) => {
    const { $schema, $id, title, description, ...rest } = schema as Record<string, unknown>
    return `${JSON.stringify({ $schema, $id, title, description, ...rest }, null, 2)}\n`
  }
  return new Map([
    ['rule.schema.json', text(RuleFileSchema)],
    ['cases.schema.json', text(CasesFileSchema)],
    ['lexicon.schema.json', text(LexiconFileSchema)],
  ])
}
