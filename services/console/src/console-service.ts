import type { ServiceDefinition } from '@banditore/platform'
import { buildApp } from './app.js'
import { loadConfig, type ConsoleConfig } from './config.js'
import { migrations, SCHEMA } from './migrations/index.js'
import type { ConsoleDatabase } from './session/session.table.js'

/** The staff console as a deployable: sign-in, sessions, the SPA and the staff APIs behind one origin. */
export const consoleService: ServiceDefinition<ConsoleConfig, ConsoleDatabase> = {
  name: 'console',
  loadConfig,
  schema: { name: SCHEMA, migrations },
  tenants: true,
  async start({ config, logger, tenants, db }) {
    const http = await buildApp(config, { logger, db: db.withSchema(SCHEMA), tenants })
    return { http, describe: { url: config.PUBLIC_URL, issuer: config.OIDC_ISSUER } }
  },
}
