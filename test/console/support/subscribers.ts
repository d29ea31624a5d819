import { privacyPolicyVersion } from '@banditore/contracts'
import { createDatabase, type TenantDirectory } from '@banditore/platform'
import { createPhoneHasher, SCHEMA, type SubscriptionsDatabase } from '@banditore/subscriptions'
import type { AudienceMember } from '../../broadcast/support/subscribers.js'

export { audienceOf, type AudienceMember } from '../../broadcast/support/subscribers.js'

/**
 * Subscribes citizens straight into the subscriptions service's tables (an active subscriber and
 * its consent record each, as if they had sent the keyword), so a browser test has an audience.
 * The keyword path itself is the subscriptions tests' business. `hashKey` is the world's
 * SUBSCRIBER_HASH_KEY (the running service must find them by the same hash).
 */
export async function seedSubscribers(options: { databaseUrl: string; tenants: TenantDirectory; hashKey: string }, members: readonly AudienceMember[]): Promise<void> {
  const pool = createDatabase<SubscriptionsDatabase>({ url: options.databaseUrl, applicationName: 'console-test-subscribers', max: 1 })
  const db = pool.withSchema(SCHEMA)
  const hash = createPhoneHasher(options.hashKey)
  const policyOf = (tenant: string, language: string) => {
    const policy = options.tenants.get(tenant)?.privacyPolicy
    const text = policy?.[language] ?? Object.values(policy ?? {})[0]
    if (!text) throw new Error(`tenant ${tenant} has no privacy policy`)
    return privacyPolicyVersion(text)
  }
  try {
    const now = new Date()
    for (let i = 0; i < members.length; i += 1_000) {
      const chunk = members.slice(i, i + 1_000)
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('subscriber')
          .values(
            chunk.map((m) => ({
              id: m.subscriberId,
              tenant: m.tenant,
              phone: m.phone,
              phone_hash: hash(m.tenant, m.phone),
              language: m.language,
              channel: m.channel,
              status: 'active' as const,
              topics: m.topics,
              subscribed_at: now,
              created_at: now,
              updated_at: now,
            })),
          )
          .execute()
        await trx
          .insertInto('consent_ledger')
          .values(
            chunk.map((m) => ({
              tenant: m.tenant,
              subscriber_id: m.subscriberId,
              phone: m.phone,
              phone_hash: hash(m.tenant, m.phone),
              event: 'subscribed' as const,
              door: m.channel,
              delivery_channel: m.channel,
              evidence_text: 'ISCRIVIMI',
              language: m.language,
              policy_version: policyOf(m.tenant, m.language),
              actor: 'citizen',
              occurred_at: now,
            })),
          )
          .execute()
      })
    }
  } finally {
    await pool.destroy()
  }
}
