import { describe, expectTypeOf, it } from 'vitest';
import {
  type Change,
  type Connector,
  type ConnectorConfigSchema,
  type ConnectorFactory,
  type ConnectorFactoryContext,
  defineConnector,
  errors,
  type Logger,
  type QueryRequest,
  type QueryResult,
  type ResourceHandler,
  type SchemaRegistry,
  type ScimResource,
  UndoLog,
} from '../src/index.js';
import { type FilterNode, parseFilter } from '../src/filter/index.js';
import { createScimHandler } from '../src/handler/index.js';
import type { HostExtensions } from '../src/host.js';
import { patchToChanges } from '../src/patch/index.js';
import {
  type ContractCase,
  connectorContractCases,
  type IdpReplayOptions,
  idpReplayCases,
  idpTraffic,
  type RecordedExchange,
  type RecordingCasesOptions,
  type RecordingHeader,
  type RecordingReplay,
  type RecordingReplayOptions,
  type ReplayAnswers,
  type ReplayStep,
  recordingCases,
  replayFromRecording,
  runReplay,
  testContext,
} from '../src/testkit/index.js';

describe('the Connector contract 1.0, as types', () => {
  it('defineConnector keeps the declared value; capabilities are per resource type', () => {
    const c = defineConnector({
      name: 'typed',
      coreVersion: '^1.0.0',
      resources: {
        User: {
          capabilities: { filter: { operators: ['eq'], attributes: ['userName'] } },
          async query(req) {
            expectTypeOf(req).toEqualTypeOf<QueryRequest>();
            return { resources: [] };
          },
        },
        Group: { capabilities: { filter: { operators: ['eq'], attributes: ['displayName'] } } },
      },
    });
    expectTypeOf(c).toMatchTypeOf<Connector>();
    expectTypeOf(c.name).toEqualTypeOf<'typed'>();
    // @ts-expect-error coreVersion is required
    defineConnector({ name: 'x', resources: {} });
    defineConnector({
      name: 'x',
      coreVersion: '^1.0.0',
      // @ts-expect-error operators must be SCIM operators
      resources: { User: { capabilities: { filter: { operators: ['like'], attributes: '*' } } } },
    });
    // @ts-expect-error capabilities are not declared for the whole connector any more
    defineConnector({ name: 'x', coreVersion: '^1.0.0', capabilities: {}, resources: {} });
  });

  it('operations have exact signatures', () => {
    expectTypeOf<NonNullable<ResourceHandler['modify']>>().parameter(1).toEqualTypeOf<Change[]>();
    expectTypeOf<NonNullable<ResourceHandler['query']>>().returns.toEqualTypeOf<Promise<QueryResult>>();
    expectTypeOf<NonNullable<ResourceHandler['get']>>().returns.toEqualTypeOf<Promise<ScimResource | undefined>>();
    expectTypeOf<ConnectorFactory>().returns.toEqualTypeOf<Connector | Promise<Connector>>();
  });

  it('the factory context hands over the registry and one logger type', () => {
    expectTypeOf<ConnectorFactoryContext['registry']>().toEqualTypeOf<SchemaRegistry>();
    expectTypeOf<ConnectorFactoryContext['log']>().toEqualTypeOf<Logger>();
    expectTypeOf(testContext({ a: 1 })).toMatchTypeOf<ConnectorFactoryContext<{ a: number }>>();
    expectTypeOf<ConnectorConfigSchema<{ a: number }>['validate']>().returns.toMatchTypeOf<
      { ok: true; value: { a: number } } | { ok: false; issues: { path: (string | number)[]; message: string }[] }
    >();
  });

  it('UndoLog takes the context logger, records undo steps, and guards one write', () => {
    const undo = new UndoLog(testContext({}).log, 'typed', { id: 'u1' });
    expectTypeOf(undo.push).parameters.toEqualTypeOf<[string, () => Promise<unknown>]>();
    expectTypeOf(undo.guard(async () => 42)).resolves.toEqualTypeOf<number>();
  });

  it('host extensions are a separate, optional type', () => {
    expectTypeOf<Connector['host']>().toEqualTypeOf<HostExtensions | undefined>();
  });

  it('change paths and filters are discriminated unions', () => {
    const ch = {} as Change;
    if (ch.op === 'remove') expectTypeOf(ch.value).toEqualTypeOf<unknown[] | undefined>();
    const f = parseFilter('a eq 1');
    expectTypeOf(f).toEqualTypeOf<FilterNode>();
    if (f.type === 'and') expectTypeOf(f.filters).toEqualTypeOf<FilterNode[]>();
    expectTypeOf(patchToChanges).returns.toEqualTypeOf<Change[]>();
  });

  it('errors are one namespace; the handler and kit are framework-free', () => {
    expectTypeOf(new errors.NotFoundError('x')).toMatchTypeOf<errors.ScimError>();
    expectTypeOf<errors.ScimError['status']>().toEqualTypeOf<number>();
    const h = createScimHandler({ connector: {} as Connector });
    expectTypeOf(h.handle).parameter(0).toHaveProperty('url').toEqualTypeOf<string>();
    expectTypeOf(h.registry).toEqualTypeOf<SchemaRegistry>();
    expectTypeOf(connectorContractCases).returns.toEqualTypeOf<ContractCase[]>();
  });

  it('the IdP replays run against any connector, with answers a backend gives instead', () => {
    expectTypeOf(idpReplayCases).parameter(0).toEqualTypeOf<IdpReplayOptions>();
    expectTypeOf(idpReplayCases).returns.toEqualTypeOf<{ name: string; run: () => Promise<void> }[]>();
    expectTypeOf<IdpReplayOptions['answers']>().toEqualTypeOf<ReplayAnswers | undefined>();
    expectTypeOf(idpTraffic.okta).toEqualTypeOf<ReplayStep[]>();
    expectTypeOf(runReplay).returns.resolves.toEqualTypeOf<Record<string, string>>();
    expectTypeOf(runReplay).parameter(3).toEqualTypeOf<Readonly<Record<string, string>> | undefined>();
    expectTypeOf(recordingCases).parameter(0).toEqualTypeOf<RecordingCasesOptions>();
    expectTypeOf(recordingCases).returns.toEqualTypeOf<{ name: string; run: () => Promise<void> }[]>();
    expectTypeOf<RecordingCasesOptions['recordings']>().toEqualTypeOf<Readonly<Record<string, string>>>();
  });

  it('a gateway recording turns into replay steps and variables', () => {
    expectTypeOf(replayFromRecording).parameter(0).toEqualTypeOf<string | readonly (RecordedExchange | RecordingHeader)[]>();
    expectTypeOf(replayFromRecording('')).toEqualTypeOf<RecordingReplay>();
    expectTypeOf(replayFromRecording('', { seed: false })).toEqualTypeOf<RecordingReplay>();
    expectTypeOf(replayFromRecording('', { seed: true })).toEqualTypeOf<RecordingReplay & { seed: ReplayStep[] }>();
    expectTypeOf<RecordingReplayOptions>().toEqualTypeOf<{ seed?: boolean }>();
    expectTypeOf<RecordingReplay['seed']>().toEqualTypeOf<ReplayStep[] | undefined>();
    expectTypeOf<RecordingReplay['steps']>().toEqualTypeOf<ReplayStep[]>();
    expectTypeOf<RecordingReplay['unknownIds']>().toEqualTypeOf<string[]>();
    expectTypeOf<ReplayStep['group']>().toEqualTypeOf<string | undefined>();
  });
});
