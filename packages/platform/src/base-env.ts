import Type from 'typebox'

/** Variables every service reads. Services extend this schema with their own. */
export const BaseEnvSchema = Type.Object({
  /** Minimum level logged: trace, debug, info, warn, error, fatal. */
  LOG_LEVEL: Type.Union(
    ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info', description: 'log level' },
  ),
  /** Address the HTTP server binds. */
  HOST: Type.String({ default: '127.0.0.1', description: 'address to bind' }),
  /** NATS servers, comma-separated. */
  NATS_URL: Type.String({ default: 'nats://127.0.0.1:4222', pattern: '^(nats|tls|ws|wss)://', description: 'NATS server URL' }),
  /** PostgreSQL connection string. */
  DATABASE_URL: Type.String({
    default: 'postgres://postgres@127.0.0.1:5432/banditore',
    pattern: '^postgres(ql)?://',
    description: 'PostgreSQL connection URL',
  }),
  /** Stream replicas: 1 locally, 3 in a cluster where acknowledged data must survive a lost server. */
  NATS_STREAM_REPLICAS: Type.Integer({ default: 1, minimum: 1, maximum: 5, description: 'JetStream stream replicas' }),
})

/** Services with a staff surface spread this too: people's access tokens (OpenID Connect). */
export { StaffIdentityEnvSchema } from './staff-identity/staff-identity-env.js'
