// The audience side of subscriptions for the benchmark, in its own process as subscriptions runs
// in deployment: answers audience pages for BENCH_RECIPIENTS synthetic subscribers.
import { connectNats, createLogger } from '@banditore/platform'
import { audienceOf, startAudienceResponder } from '../../../test/broadcast/support/audience-responder.js'
import { BORGO } from '../../../test/broadcast/support/broadcast-tenant.js'

const logger = createLogger({ service: 'bench-audience', level: 'warn' })
const nc = await connectNats({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', name: 'bench-audience', logger })
startAudienceResponder(nc, audienceOf(BORGO.id, Number(process.env.BENCH_RECIPIENTS ?? 100_000)))
await nc.flush()
process.stdout.write('audience responder ready\n')
process.once('SIGTERM', () => void nc.drain().finally(() => process.exit(0)))
