import { runService } from '@banditore/platform'
import { ingestService } from './ingest-service.js'

// The only file that touches the process: environment, connections, signals.
runService(ingestService)
