/**
 * Host extensions: optional features a connector may offer a host beyond SCIM. They are not part of
 * the Connector contract; a host that does not know one ignores it. `@scimgw/gateway` serves all.
 */
import type { RequestContext } from './types.js';

/** API-gateway operations (`/api[/{id}]`, authenticated; `GET /pub/api`, public), bodies passed as-is. */
export interface ApiOperations {
  get?(id: string | undefined, query: Record<string, string>, ctx: RequestContext): Promise<unknown>;
  post?(body: unknown, ctx: RequestContext): Promise<unknown>;
  put?(id: string, body: unknown, ctx: RequestContext): Promise<unknown>;
  patch?(id: string, body: unknown, ctx: RequestContext): Promise<unknown>;
  delete?(id: string, ctx: RequestContext): Promise<unknown>;
  /** Unauthenticated `GET /pub/api`. */
  publicGet?(query: Record<string, string>, ctx: RequestContext): Promise<unknown>;
}

/** An unauthenticated JSON document the host serves for a connector (a federated credential's JWKS …). */
export interface PublicRoute {
  /** Absolute path, e.g. `/fed/.well-known/jwks.json`. */
  path: string;
  document(): Promise<unknown> | unknown;
}

/** Sends e-mail through the host's configured mail facility. */
export interface Mailer {
  sendMail(message: {
    to?: string | string[];
    cc?: string | string[];
    subject: string;
    text?: string;
    html?: string;
  }): Promise<unknown>;
}

/** One batch of writes a connector made durable (a journal append and its sync, say). */
export interface DurableWriteSample {
  /** The tenant (`baseEntity`) whose store wrote; `undefined` for the default tenant. */
  tenant?: string | undefined;
  /** Seconds from starting the write to the data being durable. */
  seconds: number;
  /** Bytes written. */
  bytes: number;
}

/** Measurements a connector may report to the host (its metrics); every method is optional to call. */
export interface HostTelemetry {
  /** A batch of writes made durable: the gateway exports these as `scimgw_journal_sync_*`. */
  durableWrite(sample: DurableWriteSample): void;
}

/** What a host offers the extensions once the connector is created. */
export interface HostServices {
  /** Present when the host has mail configured. */
  mailer?: Mailer | undefined;
  /** Present when the host collects metrics. */
  telemetry?: HostTelemetry | undefined;
}

/** The extensions a connector offers (`ConnectorDefinition.host`). */
export interface HostExtensions {
  api?: ApiOperations;
  publicRoutes?(): PublicRoute[];
  /** Called once by the host after creating the connector, with what the host offers. */
  attach?(services: HostServices): void;
}
