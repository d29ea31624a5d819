export {
  ROLES_CLAIM,
  STAFF_AUDIENCE,
  STAFF_RESOURCE,
  startIdentityProvider,
  type IdentityProviderClient,
  type IdentityProviderOptions,
  type RunningIdentityProvider,
} from './identity-provider.js'
export { describeStaffAccounts, seedStaffAccounts, type StaffAccount } from './staff-accounts.js'
export { IdentityProviderConfigSchema, loadConfig, type IdentityProviderConfig } from './config.js'
