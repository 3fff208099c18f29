/** `defineConnector`: validates a connector definition and freezes it. */
import { CORE_VERSION } from '../version.js';
import { satisfies } from './semver.js';
import type { Connector, ConnectorDefinition } from './types.js';

const OPERATIONS: ReadonlySet<string> = new Set(['query', 'get', 'create', 'modify', 'replace', 'delete']);
/** Where the keys of the contract before 1.0 went. */
const MOVED = {
  capabilities: 'capabilities are declared per resource type: resources.User.capabilities …',
  schemas: 'schemas are added to the registry: registry: context.registry.extend({ schemas, extensions })',
  extensions: 'extensions are added to the registry: registry: context.registry.extend({ schemas, extensions })',
  api: 'API routes are a host extension: host: { api }',
  publicRoutes: 'public routes are a host extension: host: { publicRoutes }',
} as const satisfies Record<string, string>;

/** The keys of the contract before 1.0, refused so that an old definition fails to compile. */
type Moved = { [K in keyof typeof MOVED]?: never };

/**
 * Declares a connector. Throws at startup when the definition is malformed or written for an
 * incompatible core version, naming what is wrong.
 *
 * @example
 * export const connector = defineConnector({
 *   name: 'connector-hello',
 *   coreVersion: '^1.0.0',
 *   resources: {
 *     User: {
 *       capabilities: { filter: { operators: ['eq'], attributes: ['userName'] } },
 *       async query() { return { resources: [] }; },
 *     },
 *   },
 * });
 */
export function defineConnector<const T extends ConnectorDefinition>(def: T & Moved): Connector & T {
  if (!def || typeof def !== 'object') throw new TypeError('defineConnector: definition must be an object');
  if (typeof def.name !== 'string' || def.name === '') throw new TypeError('defineConnector: name is required');
  if (typeof def.coreVersion !== 'string' || !satisfies(CORE_VERSION, def.coreVersion)) {
    throw new TypeError(
      `defineConnector: ${def.name} requires @scimgw/core ${String(def.coreVersion)}, but this is ${CORE_VERSION}`,
    );
  }
  for (const key of Object.keys(def)) {
    const moved = (MOVED as Record<string, string>)[key];
    if (moved) throw new TypeError(`defineConnector: ${def.name}.${key} is not part of the Connector contract 1.0 (${moved})`);
  }
  const pass = def.passThroughAuth;
  if (pass !== undefined && typeof pass !== 'boolean' && typeof pass !== 'function') {
    throw new TypeError(`defineConnector: ${def.name}.passThroughAuth must be true, false or a function of the tenant`);
  }
  if (!def.resources || typeof def.resources !== 'object') throw new TypeError(`defineConnector: ${def.name} has no resources`);
  for (const [type, handler] of Object.entries(def.resources)) {
    if (handler === undefined) continue;
    for (const [key, value] of Object.entries(handler)) {
      const at = `${def.name}.resources.${type}.${key}`;
      if (key === 'capabilities') {
        if (value !== undefined && (typeof value !== 'object' || value === null)) {
          throw new TypeError(`defineConnector: ${at} must be an object`);
        }
      } else if (!OPERATIONS.has(key)) {
        throw new TypeError(`defineConnector: ${at} is not an operation (${[...OPERATIONS].join(', ')}, capabilities)`);
      } else if (typeof value !== 'function') throw new TypeError(`defineConnector: ${at} is not a function`);
    }
  }
  return Object.freeze({ ...def }) as Connector & T;
}
