/**
 * `auth.passThrough` against what the connector checks: refused where nothing would check a
 * passed-through credential (every request would be served unchecked), before the gateway starts.
 * `check-config` decides from the connector's `configSchema.passThroughAuth`, when the package
 * declares it; `start` decides again from the connector it built, per tenant.
 */
import { checksPassThrough, type Connector } from '@scimgw/core';
import { ConfigError, ConfigErrors, type LoadedConfig } from '@scimgw/server';

/** The refusal of a configuration whose connector (`name`) checks no passed-through credential. */
export function passThroughRefusal(name: string, file: string): ConfigErrors {
  return new ConfigErrors([
    new ConfigError(
      'scimgateway.auth.passThrough.enabled',
      `${name} does not check passed-through credentials, so pass-through would let any credential in; turn it off, or use a connector that checks them (the generic, API, SOAP and MongoDB connectors with pass-through configured, legacy plugins that allow it, or a chaining gateway)`,
      file,
    ),
  ]);
}

/** Whether pass-through is on and something other than the connector must check (no chaining). */
export function passThroughNeedsConnector(cfg: LoadedConfig, chainingBaseUrl: string | undefined): boolean {
  return cfg.gateway.auth.passThrough?.enabled === true && chainingBaseUrl === undefined;
}

/** `auth.passThrough.baseEntities`: the tenants pass-through is limited to (empty: all). */
const passThroughScope = (cfg: LoadedConfig): readonly string[] => cfg.gateway.auth.passThrough?.baseEntities ?? [];

/**
 * The tenants a passed-through credential may be sent to (its `baseEntities`, or all) on which
 * the connector checks none: there the gateway refuses such credentials with 401. `undefined` is
 * the default tenant. Empty when the connector checks them everywhere they may go.
 */
export function uncheckedTenants(cfg: LoadedConfig, connector: Connector): (string | undefined)[] {
  const scope = passThroughScope(cfg);
  const entity = (cfg.endpoint as { entity?: unknown } | undefined)?.entity;
  const servesDefault = entity === null || typeof entity !== 'object' || Object.hasOwn(entity, 'undefined');
  const tenants: (string | undefined)[] = scope.length > 0 ? [...scope] : [...(servesDefault ? [undefined] : []), ...cfg.tenants];
  return tenants.filter((t) => !checksPassThrough(connector, t));
}

/**
 * Start's check, with the built connector: throws {@link passThroughRefusal} when it checks no
 * passed-through credential on any tenant, and a refusal of `baseEntities` when it checks none on
 * the tenants pass-through is limited to; otherwise the warning to log when it checks them on
 * some tenants only (or `undefined`).
 */
export function checkBuiltConnector(
  cfg: LoadedConfig,
  connector: Connector,
  chainingBaseUrl: string | undefined,
): string | undefined {
  if (!passThroughNeedsConnector(cfg, chainingBaseUrl)) return undefined;
  const all: (string | undefined)[] = [undefined, ...cfg.tenants];
  if (!all.some((t) => checksPassThrough(connector, t))) throw passThroughRefusal(connector.name, cfg.file);
  const unchecked = uncheckedTenants(cfg, connector);
  if (unchecked.length === 0) return undefined;
  const names = unchecked.map((t) => (t === undefined ? 'the default tenant' : `"${t}"`)).join(', ');
  const scope = passThroughScope(cfg);
  if (scope.length > 0 && unchecked.length === scope.length) {
    // Safe (every such credential is refused), but pass-through could never serve anyone.
    throw new ConfigErrors([
      new ConfigError(
        'scimgateway.auth.passThrough.baseEntities',
        `pass-through is limited to ${names}, where ${connector.name} checks no passed-through credential, so it would refuse every caller; list tenants whose backend takes the caller's credentials`,
        cfg.file,
      ),
    ]);
  }
  return `auth.passThrough: ${connector.name} checks passed-through credentials only on some tenants; on ${names} its backend is signed in to with an account of the gateway's, so a credential the gateway does not know is refused there (401)`;
}
