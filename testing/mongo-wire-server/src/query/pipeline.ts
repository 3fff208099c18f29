import type { Document } from 'bson';
import { Aggregator } from 'mingo/aggregator';
import * as pipelineOperators from 'mingo/operators/pipeline';
import { ProcessingMode } from 'mingo/core';
import { commandError, MongoCommandError } from '../errors.js';
import type { Collation } from '../store/collation.js';
import { isPlainObject } from '../store/values.js';
import { translateQueryError } from './filter.js';
import { mingoOptions } from './mingo-context.js';

/** What a pipeline runs against. */
export interface PipelineEnv {
  readonly collation?: Collation;
  readonly variables?: Document;
  /** Documents of another collection of the same database ($lookup, $unionWith, $graphLookup). */
  readonly resolveCollection: (name: string) => Document[];
}

// Stages MongoDB has that need server machinery this test server does not emulate.
const NOT_EMULATED = new Set([
  '$out',
  '$merge',
  '$changeStream',
  '$changeStreamSplitLargeEvent',
  '$collStats',
  '$indexStats',
  '$currentOp',
  '$listSessions',
  '$listLocalSessions',
  '$listSearchIndexes',
  '$listSampledQueries',
  '$planCacheStats',
  '$search',
  '$searchMeta',
  '$vectorSearch',
  '$geoNear',
  '$querySettings',
  '$shardedDataDistribution',
  '$queryStats',
]);

// Stages that build new documents without writing into their input, so stored documents can be
// fed to them directly; any other stage gets deep copies.
const NON_MUTATING = new Set([
  '$match',
  '$sort',
  '$skip',
  '$limit',
  '$count',
  '$group',
  '$project',
  '$sortByCount',
  '$sample',
  '$bucket',
  '$bucketAuto',
]);

const KNOWN = new Set(Object.keys(pipelineOperators));

/**
 * Checks a pipeline's shape: an array of one-field stage documents naming known stages.
 *
 * @throws MongoCommandError 40323 / 40324 / CommandNotSupported.
 */
export function checkPipeline(pipeline: unknown): asserts pipeline is Document[] {
  if (!Array.isArray(pipeline))
    throw commandError('TypeMismatch', "BSON field 'pipeline' is the wrong type, expected type 'array'");
  for (const stage of pipeline) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw commandError('Location40323', 'A pipeline stage specification object must contain exactly one field.');
    }
    const name = Object.keys(stage)[0]!;
    if (NOT_EMULATED.has(name)) throw commandError('CommandNotSupported', `${name} is not supported by this test server`);
    if (!KNOWN.has(name)) throw commandError('Location40324', `Unrecognized pipeline stage name: '${name}'`);
    if (name === '$facet') {
      const facets = stage[name];
      if (!isPlainObject(facets)) throw commandError('Location40169', 'the $facet specification must be a non-empty object');
      for (const sub of Object.values(facets)) checkPipeline(sub);
    }
  }
}

function mutates(pipeline: Document[]): boolean {
  return pipeline.some((stage) => {
    const name = Object.keys(stage)[0]!;
    if (name === '$facet') return Object.values(stage[name] as Document).some((sub) => mutates(sub as Document[]));
    return !NON_MUTATING.has(name);
  });
}

/**
 * Runs an aggregation pipeline over `docs` with mingo. `docs` are never modified.
 *
 * @throws MongoCommandError for invalid stages or expressions.
 */
export function runPipeline(docs: Document[], pipeline: Document[], env: PipelineEnv): Document[] {
  checkPipeline(pipeline);
  if (pipeline.length === 0) return docs;
  const options = mingoOptions(env.collation, {
    collectionResolver: (name: string) => env.resolveCollection(name),
    processingMode: mutates(pipeline) ? ProcessingMode.CLONE_INPUT : ProcessingMode.CLONE_OFF,
    ...(env.variables ? { variables: env.variables } : {}),
  });
  try {
    return new Aggregator(pipeline, options).run(docs) as Document[];
  } catch (error) {
    if (error instanceof MongoCommandError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /unregistered pipeline operator (\S+?)\.?$/.exec(message);
    if (unknown) throw commandError('Location40324', `Unrecognized pipeline stage name: '${unknown[1]}'`);
    throw translateQueryError(error);
  }
}
