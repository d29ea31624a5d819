/** An x-www-form-urlencoded body: repeated names keep every value. */
export type FormParams = Readonly<Record<string, string | readonly string[]>>

/** Parses an x-www-form-urlencoded body (`+` is a space), keeping repeated names as arrays. */
export function parseFormBody(raw: string | Uint8Array): Record<string, string | string[]> {
  const text = typeof raw === 'string' ? raw : new TextDecoder().decode(raw)
  const params: Record<string, string | string[]> = {}
  for (const [name, value] of new URLSearchParams(text)) {
    const existing = params[name]
    if (existing === undefined) params[name] = value
    else if (Array.isArray(existing)) existing.push(value)
    else params[name] = [existing, value]
  }
  return params
}

/** Serializes params as x-www-form-urlencoded, repeated names as repeated pairs. */
export function encodeFormBody(params: FormParams): string {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) {
    for (const item of typeof value === 'string' ? [value] : value) search.append(name, item)
  }
  return search.toString()
}

/** The first value of a param, or undefined. */
export function formValue(params: FormParams, name: string): string | undefined {
  const value = params[name]
  return typeof value === 'string' ? value : value?.[0]
}
