import { randomUUID } from 'node:crypto'
import { privacyPolicyVersion, Subjects, type AudienceRecipient, type InboundMessage, type ModerationVerdict } from '@banditore/contracts'
import { DurablePublisher, migrateToLatest, createDatabase, type Logger, type TenantDirectory } from '@banditore/platform'
import {
  buildSubscriptionsService,
  createPhoneHasher,
  loadConfig,
  migrations,
  SCHEMA,
  type SubscriptionsDatabase,
  type SubscriptionsService,
} from '@banditore/subscriptions'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Kysely } from 'kysely'

/** A subscriber of a test audience: who, on which topics. */
export interface AudienceMember extends AudienceRecipient {
  tenant: string
  topics: string[]
}

/** `count` members numbered from `from`: valid Italian mobile numbers, Italian, WhatsApp. */
export function audienceOf(
  tenant: string,
  count: number,
  options: { from?: number; channel?: 'whatsapp' | 'sms'; language?: string; topics?: string[] } = {},
): AudienceMember[] {
  const from = options.from ?? 0
  const prefix = options.channel === 'sms' ? '+39348' : '+39347'
  return Array.from({ length: count }, (_, i) => ({
    tenant,
    subscriberId: `00000000-0000-4000-8000-${String(from + i).padStart(12, '0')}`,
    phone: `${prefix}${String(from + i).padStart(7, '0')}`,
    channel: options.channel ?? 'whatsapp',
    language: options.language ?? 'it',
    topics: options.topics ?? ['avvisi'],
  }))
}

export const SUBSCRIBER_HASH_KEY = 'broadcast-tests-subscriber-hash-key-0123456789'

/**
 * Subscribes citizens straight into the subscriptions service's tables, as if each had sent the
 * subscribe keyword (an active row and its consent record with the notice's version), in bulk: the
 * keyword path is the subscriptions tests' business; broadcast and console tests need audiences.
 * `hashKey` is the running service's SUBSCRIBER_HASH_KEY, so it finds them by the same hash.
 */
export async function insertSubscribers(
  db: Kysely<SubscriptionsDatabase>,
  members: readonly AudienceMember[],
  options: { hashKey: string; tenants: TenantDirectory },
): Promise<void> {
  const hash = createPhoneHasher(options.hashKey)
  const policyOf = (tenant: string, language: string) => {
    const policy = options.tenants.get(tenant)?.privacyPolicy
    const text = policy?.[language] ?? Object.values(policy ?? {})[0]
    if (!text) throw new Error(`tenant ${tenant} has no privacy policy`)
    return privacyPolicyVersion(text)
  }
  const now = new Date()
  for (let i = 0; i < members.length; i += 2_000) {
    const chunk = members.slice(i, i + 2_000)
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
}

/**
 * The subscriptions service itself (its schema, consumers and audience pages over NATS), for the
 * broadcast tests and benchmarks: broadcasts read their audience from it, and citizens leave
 * through it.
 */
export interface Subscribers {
  service: SubscriptionsService
  db: Kysely<SubscriptionsDatabase>
  /**
   * Subscribes citizens as if each had sent the subscribe keyword (an active row and its consent
   * record), in bulk: the keyword path is tested by the subscriptions tests, the broadcast tests
   * need audiences of thousands.
   */
  add(members: readonly AudienceMember[]): Promise<void>
  /** The citizen sends the tenant's unsubscribe keyword, as moderation passes it on. */
  unsubscribe(member: AudienceMember, keyword: string): Promise<void>
  stop(): Promise<void>
}

export async function startSubscribers(deps: { nc: NatsConnection; databaseUrl: string; tenants: TenantDirectory; logger: Logger }): Promise<Subscribers> {
  const pool = createDatabase<SubscriptionsDatabase>({ url: deps.databaseUrl, applicationName: 'subscriptions-test', max: 4 })
  await migrateToLatest(pool, SCHEMA, migrations)
  const db = pool.withSchema(SCHEMA)
  const config = loadConfig({ SUBSCRIBER_HASH_KEY, LOG_LEVEL: 'warn', OUTBOX_RELAY_INTERVAL_MS: '200' })
  const service = await buildSubscriptionsService(config, { logger: deps.logger.child({ service: 'subscriptions' }), nc: deps.nc, db, tenants: deps.tenants })
  await service.app.ready()
  const subscribers = subscribersOf(service, { nc: deps.nc, db, tenants: deps.tenants })
  return {
    ...subscribers,
    async stop() {
      await service.app.close()
      await pool.destroy()
    },
  }
}

/**
 * The helpers over a subscriptions service started elsewhere (a test world's, with
 * SUBSCRIBER_HASH_KEY): `stop` is the world's business, so it does nothing.
 */
export function subscribersOf(service: SubscriptionsService, deps: { nc: NatsConnection; db: Kysely<SubscriptionsDatabase>; tenants: TenantDirectory }): Subscribers {
  const { db } = deps
  const publisher = new DurablePublisher(deps.nc)

  return {
    service,
    db,
    async add(members) {
      await insertSubscribers(db, members, { hashKey: SUBSCRIBER_HASH_KEY, tenants: deps.tenants })
    },
    async unsubscribe(member, keyword) {
      const tenant = deps.tenants.get(member.tenant)
      if (!tenant) throw new Error(`unknown tenant ${member.tenant}`)
      const channel = member.channel
      const providerMessageId = channel === 'whatsapp' ? `wamid.${randomUUID()}` : `SM${randomUUID().replaceAll('-', '')}`
      const provider = channel === 'whatsapp' ? 'whatsapp-cloud' : 'sms-gateway'
      const to = channel === 'whatsapp' ? tenant.channels.whatsapp?.number : tenant.channels.sms?.number
      if (!to) throw new Error(`tenant ${member.tenant} has no ${channel} number`)
      const at = new Date().toISOString()
      const message: InboundMessage = {
        version: 1,
        id: `${provider}:${providerMessageId}`,
        tenant: member.tenant,
        channel,
        provider,
        providerMessageId,
        from: member.phone,
        to,
        type: 'text',
        text: keyword,
        sentAt: at,
        receivedAt: at,
      }
      const verdict: ModerationVerdict = {
        version: 1,
        messageId: message.id,
        tenant: message.tenant,
        from: message.from,
        channel,
        action: 'allow',
        categories: [],
        rules: [],
        rulesetVersion: 'sha256:0000000000000000',
        decidedAt: at,
        message,
      }
      await publisher.publish(Subjects.moderationVerdict(member.tenant), new TextEncoder().encode(JSON.stringify(verdict)), { msgId: message.id })
    },
    async stop() {},
  }
}
