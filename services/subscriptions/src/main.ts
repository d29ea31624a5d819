import { runService } from '@banditore/platform'
import { subscriptionsService } from './subscriptions-service.js'

// The only file that touches the process: environment, connections, signals.
runService(subscriptionsService)
