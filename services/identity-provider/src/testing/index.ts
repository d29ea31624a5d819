export { signInForAccessToken, SignInRefusedError, type SignInOptions, type SignInTokens } from './sign-in.js'
