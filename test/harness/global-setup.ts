import { TestWorkflowEnvironment } from '@temporalio/testing'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { binaryPath } from './binaries.js'
import { containersRequested, startPostgresContainer, startTemporalContainer } from './containers.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL server tests create their databases on (maintenance database URL). */
    postgresUrl: string
    /** host:port of the Temporal server the tests use. */
    temporalAddress: string
  }
}

/**
 * Finds or starts the infrastructure once for the integration run:
 * - PostgreSQL at TEST_POSTGRES_URL (default: the local server `./banditore test` ensures);
 * - Temporal: TEST_TEMPORAL_ADDRESS when given, otherwise a private dev server (the real
 *   Temporal server, from the temporal CLI that scripts/infra.sh builds) on a free port;
 * - NATS: each test file starts its own nats-server (see nats-server.ts), so files never share
 *   streams and a test can restart it.
 * With BANDITORE_TEST_INFRA=containers and a Docker engine, testcontainers starts PostgreSQL,
 * Temporal and each file's NATS instead.
 */
export default async function setup(project: TestProject) {
  const stops: (() => Promise<void>)[] = []
  if (containersRequested()) {
    const [postgres, temporal] = await Promise.all([startPostgresContainer(), startTemporalContainer()])
    stops.push(postgres.stop, temporal.stop)
    process.env.TEST_POSTGRES_URL = postgres.url
    process.env.TEST_TEMPORAL_ADDRESS = temporal.address
  }
  const postgresUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
  const client = new pg.Client({ connectionString: postgresUrl })
  try {
    await client.connect()
    await client.query('select 1')
  } catch (error) {
    throw new Error(`PostgreSQL does not answer at ${postgresUrl} (run scripts/infra.sh up postgres): ${String(error)}`, {
      cause: error,
    })
  } finally {
    await client.end().catch(() => undefined)
  }
  project.provide('postgresUrl', postgresUrl)

  let env: TestWorkflowEnvironment | undefined
  const external = process.env.TEST_TEMPORAL_ADDRESS
  if (external) {
    project.provide('temporalAddress', external)
  } else {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: binaryPath('temporal') },
        ip: '127.0.0.1',
        extraArgs: ['--log-level', 'error'],
      },
    })
    project.provide('temporalAddress', env.address)
  }

  return async () => {
    await env?.teardown()
    await Promise.all(stops.map((stop) => stop()))
  }
}
