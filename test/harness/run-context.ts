/**
 * What the test run's global set-up provides (the PostgreSQL server, the Temporal server), read
 * lazily: vitest refuses to be imported outside a test run, and the harness also serves scripts
 * (the fault run's benchmark) that give these explicitly.
 */
export async function runProvided(key: 'postgresUrl' | 'temporalAddress'): Promise<string> {
  const { inject } = await import('vitest')
  return inject(key)
}
