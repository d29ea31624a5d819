import { createLogger, installShutdown, loadTenantDirectory, runMain } from '@banditore/platform'
import { loadConfig } from './config.js'
import { startIdentityProvider } from './identity-provider.js'
import { describeStaffAccounts } from './staff-accounts.js'

// The only file that touches the process: environment, signals.
runMain('identity-provider', async () => {
  const config = loadConfig(process.env)
  const logger = createLogger({ service: 'identity-provider', level: config.LOG_LEVEL })
  const tenants = await loadTenantDirectory(config.TENANTS_DIR)
  const idp = await startIdentityProvider({
    tenants: tenants.all(),
    password: config.IDP_PASSWORD,
    clients: config.clients,
    port: config.IDP_PORT,
    host: config.HOST,
    issuer: config.IDP_ISSUER,
    logger,
  })
  installShutdown({ logger, steps: [{ name: 'http', run: () => idp.stop() }] })
  logger.info({ issuer: idp.issuer, accounts: idp.accounts.length, clients: config.clients.map((c) => c.clientId) }, 'identity provider listening')
  process.stdout.write(`${describeStaffAccounts(idp.accounts, config.IDP_PASSWORD)}\n`)
})
