/** Typed view of a validated configuration (defaults applied). */

export type { GatewayConfig } from './schema.js';
import type { GatewayConfig } from './schema.js';

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
   * Connector package to load; `null` for a gateway without one: it only chains
   * (`scimgateway.chainingBaseUrl`) or only publishes (`scimgateway.stream.publisher`), and has
   * neither a `connector` key nor a `connector-<name>.json` file name.
   */
  connector: string | null;
  gateway: GatewayConfig;
  /** The `endpoint` section, secrets resolved, passed to the connector as-is. */
  endpoint: Record<string, unknown>;
  /**
   * Tenants configured under `endpoint.entity` (the `undefined` key is the default tenant); for a
   * publish-only gateway, those under `scimgateway.stream.publisher.entity`.
   */
  tenants: string[];
  /** Non-fatal findings (e.g. a read-only config file that could not be encrypted in place). */
  warnings: string[];
  /**
   * Values read from environment variables as a number, a boolean or null, by config path
   * (`endpoint.password`), with their text: {@link validateWithEnvText} gives a field that wants
   * text its text back. Holds secrets as the rest of this object does: never log it.
   */
  envText?: ReadonlyMap<string, string>;
}
