import type { StartedTestContainer } from 'testcontainers'

/**
 * Whether the harness runs the infrastructure in containers: only when asked for
 * (BANDITORE_TEST_INFRA=containers) and a Docker engine answers. Local servers are the default.
 */
export function containersRequested(): boolean {
  return process.env.BANDITORE_TEST_INFRA === 'containers'
}

export interface ContainerEndpoint {
  host: string
  port: number
  stop(): Promise<void>
  restart(): Promise<void>
  container: StartedTestContainer
}

// testcontainers is loaded only in that mode, so a machine without Docker never touches it.
async function load() {
  return await import('testcontainers')
}

export async function startPostgresContainer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const { GenericContainer, Wait } = await load()
  const container = await new GenericContainer('postgres:16')
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start()
  return {
    url: `postgres://postgres@${container.getHost()}:${container.getMappedPort(5432)}/postgres`,
    stop: async () => void (await container.stop()),
  }
}

/** NATS on a fixed host port, so a stopped and restarted server keeps its address and store. */
export async function startNatsContainer(hostPort: number): Promise<ContainerEndpoint> {
  const { GenericContainer, Wait } = await load()
  const container = await new GenericContainer('nats:2.10')
    .withCommand(['-js', '-sd', '/data'])
    .withExposedPorts({ container: 4222, host: hostPort })
    .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
    .start()
  return {
    host: container.getHost(),
    port: hostPort,
    container,
    stop: async () => void (await container.stop({ remove: false, timeout: 0 })),
    restart: async () => void (await container.restart()),
  }
}

export async function startTemporalContainer(): Promise<{ address: string; stop: () => Promise<void> }> {
  const { GenericContainer, Wait } = await load()
  const container = await new GenericContainer('temporalio/temporal:1.5.1')
    .withCommand(['server', 'start-dev', '--ip', '0.0.0.0'])
    .withExposedPorts(7233)
    .withWaitStrategy(Wait.forListeningPorts())
    .start()
  return {
    address: `${container.getHost()}:${container.getMappedPort(7233)}`,
    stop: async () => void (await container.stop()),
  }
}
