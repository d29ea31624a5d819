import type { Static, TObject } from 'typebox'
import Value from 'typebox/value'

/** A missing or invalid environment variable. The message is one line naming the variable. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID'
  constructor(
    readonly variable: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${variable} ${reason}`, options)
    this.name = 'ConfigError'
  }
}

// Values of these variables are never repeated in an error message.
const SECRET = /SECRET|TOKEN|PASSWORD|KEY/

/**
 * Reads the variables a schema names from `env`, applies defaults, converts strings to the
 * declared types and validates. Pure: nothing is read from the process here. The schema's
 * property names are the environment variable names.
 */
export function parseEnv<S extends TObject>(schema: S, env: Readonly<Record<string, string | undefined>>): Static<S> {
  const picked: Record<string, unknown> = {}
  for (const name of Object.keys(schema.properties)) {
    const raw = env[name]
    if (raw !== undefined && raw !== '') picked[name] = raw
  }
  const value = Value.Convert(schema, Value.Default(schema, picked))
  if (Value.Check(schema, value)) return value as Static<S>

  const first = [...Value.Errors(schema, value)][0]
  if (!first) throw new ConfigError('environment', 'is invalid')
  const missing = first.keyword === 'required' ? (first.params as { requiredProperties?: string[] }).requiredProperties : undefined
  if (missing?.[0]) throw new ConfigError(missing[0], 'is required but not set')
  const variable = first.instancePath.split('/')[1] ?? 'environment'
  const shown = SECRET.test(variable) ? '' : ` (got ${JSON.stringify(env[variable])})`
  const property = schema.properties[variable] as { description?: string; anyOf?: { const?: unknown }[] } | undefined
  const choices = property?.anyOf?.every((s) => 'const' in s) ? property.anyOf.map((s) => String(s.const)) : undefined
  const reason = choices ? `must be one of ${choices.join(', ')}` : first.message
  const described = property?.description
  throw new ConfigError(variable, `${reason}${shown}${described ? `: ${described}` : ''}`)
}
