import { runService } from '@banditore/platform'
import { workerService } from './worker-service.js'

// The only file that touches the process: environment, connections, signals.
runService(workerService)
