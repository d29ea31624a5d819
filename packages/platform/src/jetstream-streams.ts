import type { StreamSpec } from '@banditore/contracts'
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream'
import { nanos, type NatsConnection } from '@nats-io/transport-node'

// JetStream API error: a stream of that name exists (created by a concurrent instance).
const STREAM_NAME_IN_USE = 10058

export interface StreamDeployment {
  /** 1 locally; 3 where an acknowledged webhook must survive the loss of a server. */
  replicas?: number
}

function toConfig(spec: StreamSpec, deployment: StreamDeployment): Partial<StreamConfig> & { name: string } {
  return {
    name: spec.name,
    subjects: [...spec.subjects],
    description: spec.description,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(spec.maxAgeSeconds * 1000),
    duplicate_window: nanos(spec.duplicateWindowSeconds * 1000),
    num_replicas: deployment.replicas ?? 1,
  }
}

/**
 * Declares the streams a service publishes to or reads from. Idempotent: creates what is
 * missing and updates what drifted, so every instance can run it at start.
 */
export async function ensureStreams(
  nc: NatsConnection,
  specs: readonly StreamSpec[],
  deployment: StreamDeployment = {},
): Promise<void> {
  const jsm = await jetstreamManager(nc)
  for (const spec of specs) {
    const config = toConfig(spec, deployment)
    try {
      await jsm.streams.info(spec.name)
      await jsm.streams.update(spec.name, config)
    } catch (error) {
      if (!(error instanceof JetStreamApiError) || error.code !== JetStreamApiCodes.StreamNotFound) throw error
      try {
        await jsm.streams.add(config)
      } catch (addError) {
        // Another instance created it between our look-up and our add.
        if (!(addError instanceof JetStreamApiError) || addError.code !== STREAM_NAME_IN_USE) throw addError
      }
    }
  }
}
