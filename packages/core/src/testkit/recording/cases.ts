/**
 * Recordings as test cases: each file a gateway recorded (`scimgw start --record`) replayed into
 * a connector through the core handler, the way `idpReplayCases` replays the built-in clients.
 */
import type { Connector } from '../../contract/types.js';
import { createScimHandler } from '../../handler/handler.js';
import { REPLAY_BULK } from '../idp/replays.js';
import { runReplay } from '../idp/runner.js';
import { replayFromRecording } from './to-steps.js';

/** Options of {@link recordingCases}. */
export interface RecordingCasesOptions {
  /** Returns the connector under test: a fresh backend per recording (a recording's names are its own, once). */
  connector: () => Connector | Promise<Connector>;
  /** Called after each recording with the connector it used. */
  release?: (connector: Connector) => void | Promise<void>;
  /** The recordings: a name (the file's, say) → its JSON Lines text. */
  recordings: Readonly<Record<string, string>>;
  /**
   * Create first what each recording used but did not create, from what its answers showed
   * (`replayFromRecording`'s `seed`). Default true: recordings are made on directories in use.
   */
  seed?: boolean;
}

/**
 * One case per recording (`recording <name>`): its requests in order through
 * `createScimHandler({ connector })`, ids taken from the connector's answers, every answer's
 * status (and a list's `totalResults`) as recorded; `run` throws naming the first that differs.
 * A recording that does not parse fails its case with the line at fault.
 *
 * @example
 * const dir = new URL('./recordings/', import.meta.url);
 * const recordings = Object.fromEntries(
 *   readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => [f, readFileSync(new URL(f, dir), 'utf8')]),
 * );
 * for (const c of recordingCases({ connector: () => createConnector(testContext({})), recordings })) it(c.name, c.run);
 */
export function recordingCases(opts: RecordingCasesOptions): { name: string; run: () => Promise<void> }[] {
  return Object.entries(opts.recordings).map(([name, text]) => ({
    name: `recording ${name}`,
    run: async () => {
      const replay = opts.seed === false ? { ...replayFromRecording(text), seed: [] } : replayFromRecording(text, { seed: true });
      const connector = await opts.connector();
      try {
        const h = createScimHandler({ connector, bulk: REPLAY_BULK });
        await runReplay((req) => h.handle(req), [...replay.seed, ...replay.steps], {}, replay.vars);
      } finally {
        await opts.release?.(connector);
      }
    },
  }));
}
