import { describe, expectTypeOf, it } from 'vitest';
import {
  type Change,
  type Connector,
  type ConnectorFactory,
  type FilterNode,
  type QueryRequest,
  type QueryResult,
  type ResourceOperations,
  type ScimError,
  type ScimResource,
  createScimHandler,
  defineConnector,
  parseFilter,
  patchToChanges,
  type SchemaRegistry,
} from '../src/index.js';
import { type ContractCase, connectorContractCases } from '../src/testkit/index.js';

describe('public API types', () => {
  it('defineConnector keeps the declared value and requires a name and core range', () => {
    const c = defineConnector({
      name: 'typed',
      coreVersion: '>=0.1.0 <1',
      capabilities: { filter: { operators: ['eq'], attributes: ['userName'] } },
      resources: {
        User: {
          async query(req) {
            expectTypeOf(req).toEqualTypeOf<QueryRequest>();
            return { resources: [] };
          },
        },
      },
    });
    expectTypeOf(c).toMatchTypeOf<Connector>();
    expectTypeOf(c.name).toEqualTypeOf<'typed'>();
    // @ts-expect-error coreVersion is required
    defineConnector({ name: 'x', resources: {} });
    defineConnector({
      name: 'x',
      coreVersion: '>=0.1.0 <1',
      // @ts-expect-error operators must be SCIM operators
      capabilities: { filter: { operators: ['like'], attributes: '*' } },
      resources: {},
    });
  });

  it('operations have exact signatures', () => {
    expectTypeOf<NonNullable<ResourceOperations['modify']>>().parameter(1).toEqualTypeOf<Change[]>();
    expectTypeOf<NonNullable<ResourceOperations['query']>>().returns.toEqualTypeOf<Promise<QueryResult>>();
    expectTypeOf<NonNullable<ResourceOperations['get']>>().returns.toEqualTypeOf<Promise<ScimResource | undefined>>();
    expectTypeOf<ConnectorFactory>().returns.toEqualTypeOf<Connector | Promise<Connector>>();
  });

  it('change paths and filters are discriminated unions', () => {
    const ch = {} as Change;
    if (ch.op === 'remove') expectTypeOf(ch.value).toEqualTypeOf<unknown[] | undefined>();
    const f = parseFilter('a eq 1');
    expectTypeOf(f).toEqualTypeOf<FilterNode>();
    if (f.type === 'and') expectTypeOf(f.filters).toEqualTypeOf<FilterNode[]>();
    expectTypeOf(patchToChanges).returns.toEqualTypeOf<Change[]>();
  });

  it('the handler and kit are framework-free', () => {
    const h = createScimHandler({ connector: {} as Connector });
    expectTypeOf(h.handle).parameter(0).toHaveProperty('url').toEqualTypeOf<string>();
    expectTypeOf(h.registry).toEqualTypeOf<SchemaRegistry>();
    expectTypeOf(connectorContractCases).returns.toEqualTypeOf<ContractCase[]>();
    expectTypeOf<ScimError['status']>().toEqualTypeOf<number>();
  });
});
