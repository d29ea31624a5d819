export {
  deleteStaffApiToken,
  hashApiTokenSecret,
  openStaffApiTokenBucket,
  putStaffApiToken,
  reconcileStaffApiTokens,
  watchStaffApiTokens,
  type StaffApiTokenCache,
} from './api-token-bucket.js'
export { IdentityProviderUnavailableError, StaffForbiddenError, StaffUnauthenticatedError } from './staff-auth-errors.js'
export {
  createStaffAuthenticator,
  grantsOfClaim,
  principalOfApiToken,
  type ApiTokenResolver,
  type OidcVerification,
  type StaffAuthenticator,
  type StaffAuthenticatorOptions,
} from './staff-authenticator.js'
export { assertStaffRole, createStaffPrincipal, parseGrant, roleName, type StaffPrincipal } from './staff-principal.js'
export { StaffIdentityEnvSchema, oidcVerificationOf, type StaffIdentityEnv } from './staff-identity-env.js'
