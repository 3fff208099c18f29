/**
 * @scimgw/testing-emulator-kit — the HTTP plumbing of scimgw's small JSON emulators: bodies read
 * within a limit, form token requests (RFC 6749), JSON answers, a bearer-token store with expiry,
 * and a server that listens on a host and port and closes. The test side is
 * `@scimgw/testing-emulator-kit/client`.
 *
 * @packageDocumentation
 */
export { type BodyResult, readBody } from './body.js';
export { firstValues, isForm, repeatedParameter } from './form.js';
export { JSON_CONTENT_TYPE, type JsonReply, sendJson } from './json.js';
export {
  loggedForm,
  type OAuthError,
  oauthRefusal,
  readTokenRequest,
  sendTokenResponse,
  type TokenRefusal,
  type TokenRequest,
  tokenRequestErrors,
} from './oauth.js';
export { type ApiCall, apiCall, type JsonRequest, type JsonServer, type JsonServerOptions, startJsonServer } from './server.js';
export { BearerTokenStore, type BearerTokenStoreOptions, bearerToken, type StoredToken } from './tokens.js';
export {
  type EmulatorOptions,
  type OAuthServer,
  type OAuthServerOptions,
  type RunningEmulator,
  startOAuthServer,
  type TokenCallBase,
} from './emulator.js';
