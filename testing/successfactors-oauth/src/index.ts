/**
 * @scimgw/testing-successfactors-oauth — an emulator of SAP SuccessFactors' OAuth 2.0 token
 * endpoint with the SAML 2.0 bearer assertion grant (RFC 7522), and of one OData V2 resource
 * (`User('<userId>')`), written from SAP's and the RFCs' public documentation, for end-to-end
 * tests of clients that build and sign their own SAML assertions.
 *
 * @packageDocumentation
 */
export { startSuccessFactorsOAuthEmulator } from './emulator.js';
export type {
  ApiCall,
  EmulatorCall,
  SuccessFactorsOAuthEmulator,
  SuccessFactorsOAuthEmulatorOptions,
  TokenCall,
} from './emulator.js';
export type { RegisterClientOptions } from './state.js';
export { TOKEN_LIFETIME_SECONDS } from './state.js';
export type { AccessTokenResponse } from './token-endpoint.js';
export type { ODataUserResponse } from './odata.js';
export type { ODataError, OAuthError } from './errors.js';
export { SAML2_BEARER } from './errors.js';
export { BEARER_METHOD, SUCCESSFACTORS_AUDIENCE } from './assertion.js';
export { XMLDSIG } from './signature.js';
