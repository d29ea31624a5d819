import Type from 'typebox'

/** RFC 9457 problem details, as the platform's error handler writes them. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    code: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Unknown()),
  },
  { description: 'application/problem+json' },
)
