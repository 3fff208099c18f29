/**
 * Matches a request path against the route table. Literal segments win over parameters;
 * a path no route knows is Graph's 400 "Resource not found for the segment", a known path
 * with the wrong method is 405.
 */
import type { RouteDef } from '../routes/context.js';
import { GraphError, badRequest, echo } from './errors.js';

interface CompiledRoute {
  readonly def: RouteDef;
  readonly segments: ReadonlyArray<{ literal: string } | { param: true }>;
  readonly literals: number;
}

/** A routed request: the route and its decoded parameters. */
export interface RouteMatch {
  readonly route: RouteDef;
  readonly params: string[];
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`The request URI segment '${echo(segment)}' is not validly percent-encoded.`);
  }
}

/** A route table. */
export class Router {
  private readonly routes: CompiledRoute[];

  constructor(defs: readonly RouteDef[]) {
    this.routes = defs.map((def) => {
      const segments = def.pattern
        .split('/')
        .filter(Boolean)
        .map((s) => (s.startsWith('{') ? { param: true as const } : { literal: s.toLowerCase() }));
      return { def, segments, literals: segments.filter((s) => 'literal' in s).length };
    });
  }

  /**
   * Finds the route for `method` and `path` (below `/v1.0`).
   * @throws GraphError 400 for unknown paths, 405 for a known path with another method.
   */
  match(method: string, path: string): RouteMatch {
    const raw = path.split('/').filter(Boolean);
    if (raw.length > 12) throw badRequest('The request URI has too many segments.');
    const segments = raw.map(decode);
    const lower = segments.map((s) => s.toLowerCase());
    let best: CompiledRoute | undefined;
    let pathKnown = false;
    let deepest = 0;
    for (const route of this.routes) {
      let matched = 0;
      for (; matched < Math.min(route.segments.length, lower.length); matched++) {
        const part = route.segments[matched] as CompiledRoute['segments'][number];
        if ('literal' in part && part.literal !== lower[matched]) break;
      }
      deepest = Math.max(deepest, matched);
      if (matched !== lower.length || route.segments.length !== lower.length) continue;
      pathKnown = true;
      if (route.def.method !== method) continue;
      if (!best || route.literals > best.literals) best = route;
    }
    if (best) {
      const params = segments.filter((_, i) => 'param' in (best.segments[i] as object));
      return { route: best.def, params };
    }
    if (pathKnown) {
      throw new GraphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
    }
    const missing = segments[deepest] ?? segments[segments.length - 1] ?? '';
    throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${echo(missing)}'.`);
  }
}
