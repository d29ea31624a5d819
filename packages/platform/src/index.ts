export { ConfigError, parseEnv } from './config.js'
export { createDatabase, migrateToLatest, MigrationFailedError, pingDatabase, type DatabaseConfig } from './database.js'
export { DependencyUnavailableError, PermanentMessageError } from './errors.js'
export { createServiceServer, type Problem, type ReadinessCheck, type ServiceServerConfig } from './http-server.js'
export {
  consume,
  consumeDurable,
  ensureConsumer,
  type CatalogHandler,
  type ConsumedMessage,
  type DurableConsumerSpec,
  type MessageHandler,
  type RunningConsumer,
} from './jetstream-consumer.js'
export { DurablePublisher, PublishNotAcknowledgedError, type DurableAck, type DurablePublishOptions } from './jetstream-publish.js'
export { ensureStreams, type StreamDeployment } from './jetstream-streams.js'
export { createLogger, REDACT_PATHS, type Logger, type LoggerConfig } from './logger.js'
export { connectNats, pingNats, type NatsConnectionConfig } from './nats-connection.js'
export { installShutdown, type ShutdownOptions, type ShutdownStep } from './service-lifecycle.js'
export { runMain } from './run-main.js'
export { BaseEnvSchema } from './base-env.js'
export { loadTenantDirectory, parseTenant, TenantConfigError, TenantDirectory } from './tenant-directory.js'
export {
  easterMonday,
  easterSunday,
  isClosedDay,
  isItalianPublicHoliday,
  isOfficeOpen,
  localMoment,
  type CalendarDate,
  type LocalMoment,
  type OfficeHours,
} from './office-hours.js'
export * from './staff-identity/index.js'
export {
  runService,
  startService,
  UndeclaredResourceError,
  type RunningService,
  type ServiceConfigBase,
  type ServiceDefinition,
  type ServiceResourcesOf,
  type StartServiceOptions,
} from './service-runner.js'
