export { binaryPath } from './binaries.js'
export { createTestDatabase, type TestDatabase } from './database.js'
export { startNatsServer, waitForPort, type TestNatsServer } from './nats-server.js'
export { captureLogs, type CapturedLogs } from './logs.js'
