/**
 * @scimgw/testing-pki: throwaway certificates for tests (private, never published). A package of
 * its own, depending on nothing, so that any package's tests may use it.
 *
 * @packageDocumentation
 */
export { makeTestPki } from './pki.js';
export type { TestPki, TestPkiOptions } from './pki.js';
export { subjectAltNames, writeServerCertificates, writeServerCertificatesAsync } from './server-certificates.js';
export type { ServerCertificateOptions, ServerCertificates } from './server-certificates.js';
