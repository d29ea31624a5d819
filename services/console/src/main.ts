import { runService } from '@banditore/platform'
import { consoleService } from './console-service.js'

// The only file that touches the process: environment, connections, signals.
runService(consoleService)
