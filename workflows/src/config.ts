import { BaseEnvSchema, parseEnv } from '@banditore/platform'
import Type from 'typebox'

export const WorkerConfigSchema = Type.Object({
  ...BaseEnvSchema.properties,
  /** Port of the worker's health and metrics endpoint. */
  PORT: Type.Integer({ default: 3009, minimum: 0, maximum: 65535, description: 'HTTP port for health and metrics' }),
  /** Temporal frontend address (host:port). */
  TEMPORAL_ADDRESS: Type.String({ default: '127.0.0.1:7233', pattern: '^[^:/]+:[0-9]+$', description: 'Temporal host:port' }),
  /** Temporal namespace. */
  TEMPORAL_NAMESPACE: Type.String({ default: 'default', minLength: 1, description: 'Temporal namespace' }),
  /** Task queue the reply workflows run on (tests use their own). */
  TEMPORAL_TASK_QUEUE_REPLIES: Type.String({ default: 'banditore-replies', minLength: 1, description: 'replies task queue' }),
})
export type WorkerConfig = Type.Static<typeof WorkerConfigSchema>

export function loadConfig(env: Readonly<Record<string, string | undefined>>): WorkerConfig {
  return parseEnv(WorkerConfigSchema, env)
}
