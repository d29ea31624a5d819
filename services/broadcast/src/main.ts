import { runService } from '@banditore/platform'
import { broadcastService } from './broadcast-service.js'

// The only file that touches the process: environment, connections, signals.
runService(broadcastService)
