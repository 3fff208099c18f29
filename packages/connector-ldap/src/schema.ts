/**
 * `configSchema`: the validator of the `endpoint` section the gateway runs in `start` and
 * `check-config` before `createConnector`, and its JSON Schema. The shape (types, unknown keys
 * with a did-you-mean, required values) is `ldapConfigShape`; what a shape cannot say (DN and
 * filter syntax, StartTLS with ldaps, the map) is checked by the same code `createConnector`
 * runs, so `check-config` reports everything a start would refuse, except certificate files it
 * cannot find without the gateway's base directory.
 */
import { configSection, type z } from '@scimgw/config';
import { type ConfigPath, LdapConfigError, ldapConfigShape } from './config.js';
import { type CheckedConfig, resolveSettings, tenantSources } from './settings.js';
import { tenantMappings } from './tenant.js';

/** What is wrong beyond the shape: one problem per tenant at most (each stops at its first). */
export function configProblems(config: CheckedConfig): LdapConfigError[] {
  const problems: LdapConfigError[] = [];
  const collect = (check: () => void) => {
    try {
      check();
    } catch (e) {
      if (!(e instanceof LdapConfigError)) throw e;
      problems.push(e);
    }
  };
  collect(() => {
    for (const t of tenantSources(config)) {
      collect(() => tenantMappings(resolveSettings(t.path, t.settings, t.map, t.mapPath, undefined, t.tenant)));
    }
  });
  return problems;
}

/** Issue paths are relative to the `endpoint` section. */
const belowEndpoint = (path: ConfigPath): (string | number)[] => (path[0] === 'endpoint' ? path.slice(1) : [...path]);

const endpointSchema = ldapConfigShape.superRefine((config, ctx: z.core.$RefinementCtx) => {
  for (const p of configProblems(config)) ctx.addIssue({ code: 'custom', path: belowEndpoint(p.segments), message: p.problem });
});

/**
 * The `endpoint` section as a configuration section: `validate` names every problem by its JSON
 * path (unknown keys with a did-you-mean: `ldap.usrBase` → `userBase`); `jsonSchema` is what
 * `scimgw schema --connector @scimgw/connector-ldap` prints for editors.
 */
export const configSchema = configSection(endpointSchema, {
  title: 'connector-ldap endpoint',
  // Binds with its own account: a passed-through credential would be checked by nothing.
  passThroughAuth: () => false,
});
