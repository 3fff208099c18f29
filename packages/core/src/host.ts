/**
 * @scimgw/core/host: optional host extensions a connector may offer (`ConnectorDefinition.host`):
 * API-gateway routes, public documents, and the host services (mail) they may use.
 *
 * @packageDocumentation
 */
export type {
  ApiOperations,
  DurableWriteSample,
  HostExtensions,
  HostServices,
  HostTelemetry,
  Mailer,
  PublicRoute,
} from './contract/host.js';
