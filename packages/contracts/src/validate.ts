import type { Static, TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { ContractViolationError } from './contract-error.js'

export interface Contract<S extends TSchema> {
  readonly name: string
  readonly schema: S
  /** True when `value` satisfies the contract. */
  is(value: unknown): value is Static<S>
  /** Returns `value` typed, or throws ContractViolationError naming every violation. */
  parse(value: unknown): Static<S>
  /** Parses JSON bytes or text, then validates. */
  decode(data: Uint8Array | string): Static<S>
  /** Validates, then serialises to UTF-8 JSON bytes. */
  encode(value: Static<S>): Uint8Array
}

const decoder = new TextDecoder()
const encoder = new TextEncoder()

/** Compiles a schema once into a named contract: validated on receipt, never trusted as a cast. */
export function defineContract<S extends TSchema>(name: string, schema: S): Contract<S> {
  const validator = Compile(schema)
  const issuesOf = (value: unknown) =>
    [...validator.Errors(value)].map((e) => ({ path: e.instancePath, message: e.message }))
  const contract: Contract<S> = {
    name,
    schema,
    is: (value): value is Static<S> => validator.Check(value),
    parse(value) {
      if (validator.Check(value)) return value as Static<S>
      throw new ContractViolationError(name, issuesOf(value))
    },
    decode(data) {
      let value: unknown
      try {
        value = JSON.parse(typeof data === 'string' ? data : decoder.decode(data))
      } catch (cause) {
        throw new ContractViolationError(name, [{ path: '', message: 'is not valid JSON' }], { cause })
      }
      return contract.parse(value)
    },
    encode(value) {
      return encoder.encode(JSON.stringify(contract.parse(value)))
    },
  }
  return contract
}
