/** Typed view of a validated configuration (defaults applied). */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ScopedCredential {
  readOnly: boolean;
  baseEntities: string[] | null;
}

export interface GatewayConfig {
  port: number;
  localhostonly: boolean;
  chainingBaseUrl: string | null;
  idleTimeout: number;
  payloadSize: number | string;
  scim: {
    version: '1.1' | '2.0';
    skipTypeConvert: boolean;
    skipMetaLocation: boolean;
    groupMemberOfUser: boolean;
    usePutSoftSync: boolean;
    groupPatchStatus: number;
    defaultPageSize: number;
    maxPageSize: number;
    customSchemas?: string | null;
  };
  log: {
    loglevel: { file: LogLevel | 'off'; console: LogLevel | 'off'; push: LogLevel };
    logDirectory?: string | null;
    customMasking?: string[] | null;
    colorize: boolean;
    maxSize: number;
    maxFiles: number;
  };
  auth: {
    basic?: ({ username: string | null; password: string | null } & ScopedCredential)[] | null;
    bearerToken?: ({ token: string | null; name?: string | null } & ScopedCredential)[] | null;
    bearerJwt?:
      | ({
          secret?: string | null;
          publicKey?: string | null;
          wellKnownUri?: string | null;
          azureTenantId?: string | null;
          options: Record<string, unknown>;
          name?: string | null;
        } & ScopedCredential)[]
      | null;
    bearerOAuth?: ({ clientId: string | null; clientSecret: string | null } & ScopedCredential)[] | null;
    passThrough?: ({ enabled: boolean } & ScopedCredential) | null;
  };
  certificate?: {
    key?: string | null;
    cert?: string | null;
    ca?: string | string[] | null;
    pfx?: { bundle?: string | null; password?: string | null } | null;
  } | null;
  pfx?: { bundle?: string | null; password?: string | null } | null;
  ipAllowList?: string[] | null;
  trustedProxies?: string[] | null;
  rateLimit?: { maxFailures?: number; windowSeconds?: number; maxTracked?: number } | boolean | null;
  email?: {
    auth: { type?: 'smtp' | 'oauth'; options: Record<string, unknown> };
    emailOnError: {
      enabled: boolean;
      from?: string | null;
      to?: string | string[] | null;
      cc?: string | string[] | null;
      subject?: string | null;
      sendInterval: number;
    };
  } | null;
  bulk: { maxOperations: number; maxPayloadSize: number };
  azureRelay?: { enabled: boolean; [k: string]: unknown } | null;
  stream?: Record<string, unknown> | null;
  kubernetes?: { enabled: boolean; shutdownTimeout: number } | null;
}

/** A loaded configuration file. */
export interface LoadedConfig {
  /** Absolute path of the file. */
  file: string;
  /** File name without `.json` (prefix for `process.file` keys). */
  name: string;
  /** Directory of the file. */
  configDir: string;
  /** Where relative data/log paths resolve: the parent of a `config/` directory, else the config directory. */
  baseDir: string;
  /** `<configDir>/certs`. */
  certsDir: string;
  /**
   * Connector package to load; `null` for a gateway that only chains (`scimgateway.chainingBaseUrl`
   * set, and neither a `connector` key nor a `connector-<name>.json` file name).
   */
  connector: string | null;
  gateway: GatewayConfig;
  /** The `endpoint` section, secrets resolved, passed to the connector as-is. */
  endpoint: Record<string, unknown>;
  /** Tenants configured under `endpoint.entity` (the `undefined` key is the default tenant). */
  tenants: string[];
  /** Non-fatal findings (e.g. a read-only config file that could not be encrypted in place). */
  warnings: string[];
}
