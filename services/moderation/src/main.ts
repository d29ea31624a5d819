import { runService } from '@banditore/platform'
import { moderationService } from './moderation-service.js'

// The only file that touches the process: environment, connections, signals.
runService(moderationService)
