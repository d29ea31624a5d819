// The subscriptions service for the benchmark, in its own process as in deployment: its schema in
// the bench database (DATABASE_URL), BENCH_RECIPIENTS subscribers of Borgo, audience pages over NATS.
import { connectNats, createLogger, parseTenant, TenantDirectory } from '@banditore/platform'
import { BORGO, borgoTenantDocument } from '../../../test/broadcast/support/broadcast-tenant.js'
import { audienceOf, startSubscribers } from '../../../test/broadcast/support/subscribers.js'

const logger = createLogger({ service: 'bench-subscriptions', level: 'warn' })
const nc = await connectNats({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', name: 'bench-subscriptions', logger })
const databaseUrl = process.env.DATABASE_URL
if (!databaseUrl) throw new Error('DATABASE_URL is required')
const tenants = new TenantDirectory([parseTenant('borgo.json', borgoTenantDocument({ whatsappMps: Number(process.env.BENCH_CAP ?? 1000) }))])
const subscribers = await startSubscribers({ nc, databaseUrl, tenants, logger })
await subscribers.add(audienceOf(BORGO.id, Number(process.env.BENCH_RECIPIENTS ?? 100_000)))
await nc.flush()
process.stdout.write('subscriptions ready\n')
process.once('SIGTERM', () => void subscribers.stop().then(() => nc.drain()).finally(() => process.exit(0)))
