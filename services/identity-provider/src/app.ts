// The provider as a library (tests start it in-process); src/main.ts runs it as a process.
export { startIdentityProvider } from './identity-provider.js'
