/**
 * A test that an error answer changed nothing (RFC 7644 §3.5.2), for a connector whose client
 * write takes several backend calls: the write is sent again and again, each time with the backend
 * refusing one more of its calls (the 1st, the 2nd, …), until a run sees fewer calls than the one
 * to refuse. Every refused run must be answered with an error, leave what `snapshot` reads as it
 * was, and the same request sent again without a refusal must succeed. Independent of the test
 * framework: it throws an `Error` saying what differed.
 *
 * @example
 * const summary = await walkRefusals({
 *   prepare: async (n) => ({ id: await seedUser(`u${n}`), body: patchOfThreeCalls }),
 *   snapshot: (req) => backend.read(req.id),
 *   refuse: (at) => fake.refuseWrite(at),   // the at-th write from now answers an error
 *   disarm: () => fake.stopRefusing(),      // returns how many writes it saw
 *   send: (req) => handler.handle({ method: 'PATCH', url: `/Users/${req.id}`, body: … }),
 * });
 * expect(summary.refused).toBe(3);
 */

/** What {@link walkRefusals} needs. */
export interface RefusalWalk<Request> {
  /** A fresh request for run `n` (1, 2, …), on entries of its own. */
  prepare(n: number): Promise<Request>;
  /** What a refused write must leave as it was (compared by value, keys in any order). */
  snapshot(request: Request): unknown;
  /** From now on, the backend refuses its `at`-th write call (and passes the others). */
  refuse(at: number): void;
  /** Stops refusing; returns how many write calls the backend saw since {@link refuse}. */
  disarm(): number;
  /** Sends the client request. */
  send(request: Request): Promise<{ status: number; body?: unknown }>;
  /** The status every refused run must answer; default any 4xx or 5xx. */
  status?: number;
  /** Gives up after refusing this many calls (a write that never ends); default 20. */
  maxCalls?: number;
}

/** What a {@link walkRefusals} run found. */
export interface RefusalWalkSummary {
  /** Runs that were refused and answered with an error. */
  refused: number;
  /** Write calls the request takes when nothing is refused. */
  calls: number;
}

/** JSON with object keys sorted: two values are the same when their forms are. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Runs the walk (see the module's description). */
export async function walkRefusals<Request>(walk: RefusalWalk<Request>): Promise<RefusalWalkSummary> {
  const max = walk.maxCalls ?? 20;
  let refused = 0;
  for (let at = 1; at <= max; at++) {
    const request = await walk.prepare(at);
    const before = canonical(await walk.snapshot(request));
    walk.refuse(at);
    let answer: { status: number; body?: unknown };
    let seen: number;
    try {
      answer = await walk.send(request);
    } finally {
      seen = walk.disarm();
    }
    const said = `call #${at} refused: ${answer.status} ${JSON.stringify(answer.body)}`;
    if (seen < at) {
      if (answer.status >= 300) throw new Error(`nothing was refused (the write took ${seen} calls), yet ${said}`);
      return { refused, calls: seen };
    }
    const failed = walk.status === undefined ? answer.status >= 400 : answer.status === walk.status;
    if (!failed) throw new Error(`${said}: expected ${walk.status ?? 'an error'}`);
    refused++;
    const after = canonical(await walk.snapshot(request));
    if (after !== before) throw new Error(`${said}, and it changed the backend:\nbefore ${before}\nafter  ${after}`);
    const again = await walk.send(request);
    if (again.status >= 300)
      throw new Error(
        `after call #${at} was refused, the same request sent again: ${again.status} ${JSON.stringify(again.body)}`,
      );
  }
  throw new Error(`the write took more than ${max} calls`);
}
