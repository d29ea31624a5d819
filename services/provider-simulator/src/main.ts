import { runService } from '@banditore/platform'
import { simulatorService } from './simulator-service.js'

// The only file that touches the process: environment, connections, signals.
runService(simulatorService)
