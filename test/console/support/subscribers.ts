import { createDatabase, type TenantDirectory } from '@banditore/platform'
import { SCHEMA, type SubscriptionsDatabase } from '@banditore/subscriptions'
import { insertSubscribers, type AudienceMember } from '../../broadcast/support/subscribers.js'

export { audienceOf, type AudienceMember } from '../../broadcast/support/subscribers.js'

/** Subscribes citizens of the console world's subscriptions service (see insertSubscribers). */
export async function seedSubscribers(options: { databaseUrl: string; tenants: TenantDirectory; hashKey: string }, members: readonly AudienceMember[]): Promise<void> {
  const pool = createDatabase<SubscriptionsDatabase>({ url: options.databaseUrl, applicationName: 'console-test-subscribers', max: 1 })
  try {
    await insertSubscribers(pool.withSchema(SCHEMA), members, { hashKey: options.hashKey, tenants: options.tenants })
  } finally {
    await pool.destroy()
  }
}
