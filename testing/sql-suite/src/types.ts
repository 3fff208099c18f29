/** What the suites need from a connector package's tests. */
import type { Connector } from '@scimgw/core';

/** A connector on an empty database of its own. */
export interface FreshConnector {
  connector: Connector;
  /** Closes the connector and drops what it stored (schema, database). */
  done(): Promise<void>;
  /** Runs SQL as an administrator in the connector's schema or database (checks behind the connector's back). */
  sql?(text: string): Promise<Record<string, unknown>[]>;
}

/** Makes a {@link FreshConnector}: a new schema or database each time. */
export type FreshFactory = () => Promise<FreshConnector>;

/** One runnable case (framework-neutral, as the contract kit's). */
export interface SuiteCase {
  name: string;
  run: () => Promise<void>;
}

/** Throws with `message` unless `cond`. */
export function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}
