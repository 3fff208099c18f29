/**
 * {{name}}: a scimgw connector. Replace the in-memory store in ./store.ts with calls to your
 * backend; keep the shape: `createConnector` and `configSchema` are what the gateway loads.
 */
import { type Connector, type ConnectorFactoryContext, defineConnector } from '@scimgw/core';
import type { Config } from './config.js';
import { createStore } from './store.js';

export { configSchema } from './config.js';
export type { Config } from './config.js';

/** The gateway calls this with the validated `endpoint` section. */
export function createConnector(context: ConnectorFactoryContext<Config>): Connector {
  const store = createStore(context.registry, context.config.exampleData === true);
  context.log.info('{{name}} ready');
  return defineConnector({
    name: '{{name}}',
    coreVersion: '^{{coreVersion}}',
    registry: context.registry,
    resources: {
      // Declare only what the backend evaluates itself; the core does the rest.
      User: { capabilities: { filter: { operators: ['eq'], attributes: ['userName', 'externalId', 'id'] } }, ...store.users },
      Group: {
        capabilities: { filter: { operators: ['eq'], attributes: ['displayName', 'members.value', 'id'] } },
        ...store.groups,
      },
    },
  });
}
