/**
 * @scimgw/testing-google-oauth — an emulator of Google's OAuth 2.0 token endpoint for service
 * accounts (the JWT bearer grant of RFC 7523, with domain-wide delegation) and of the Admin SDK
 * Directory API's users.get, written from Google's public documentation, for end-to-end tests of
 * clients that sign in with a service account key file.
 *
 * @packageDocumentation
 */
export { startGoogleOAuthEmulator } from './emulator.js';
export type { ApiCall, EmulatorCall, GoogleOAuthEmulator, GoogleOAuthEmulatorOptions, TokenCall } from './emulator.js';
export type { CreateServiceAccountOptions, ServiceAccountKeyFile } from './accounts.js';
export type { DirectoryUser } from './state.js';
export { TOKEN_LIFETIME_SECONDS } from './state.js';
export type { AccessTokenResponse } from './token-endpoint.js';
export { MAX_ASSERTION_LIFETIME_SECONDS } from './token-endpoint.js';
export type { DirectoryUserResource } from './directory.js';
export { DIRECTORY_USER_SCOPES } from './directory.js';
export type { OAuthError } from './errors.js';
export { JWT_BEARER } from './errors.js';
