/** `defineConnector`: validates a connector definition and freezes it. */
import { CORE_VERSION } from '../version.js';
import type { Connector, ConnectorDefinition } from './types.js';
import { satisfies } from './semver.js';

/**
 * Declares a connector. Throws at startup when the definition is malformed
 * or written for an incompatible core version.
 *
 * @example
 * export const connector = defineConnector({
 *   name: 'connector-hello',
 *   coreVersion: '>=0.1.0 <1',
 *   capabilities: { filter: { operators: ['eq'], attributes: ['userName'] } },
 *   resources: { User: { async query() { return { resources: [] }; } } },
 * });
 */
export function defineConnector<const T extends ConnectorDefinition>(def: T): Connector & T {
  if (!def || typeof def !== 'object') throw new TypeError('defineConnector: definition must be an object');
  if (typeof def.name !== 'string' || def.name === '') throw new TypeError('defineConnector: name is required');
  if (typeof def.coreVersion !== 'string' || !satisfies(CORE_VERSION, def.coreVersion)) {
    throw new TypeError(
      `defineConnector: ${def.name} requires @scimgw/core ${String(def.coreVersion)}, but this is ${CORE_VERSION}`,
    );
  }
  if (!def.resources || typeof def.resources !== 'object') {
    throw new TypeError(`defineConnector: ${def.name} has no resources`);
  }
  for (const [type, ops] of Object.entries(def.resources)) {
    if (ops === undefined) continue;
    for (const [op, fn] of Object.entries(ops)) {
      if (typeof fn !== 'function') throw new TypeError(`defineConnector: ${def.name}.resources.${type}.${op} is not a function`);
    }
  }
  return Object.freeze({ ...def, capabilities: Object.freeze({ ...(def.capabilities ?? {}) }) }) as Connector & T;
}
