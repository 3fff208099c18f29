/**
 * `scimgw replay FILE --url URL [--seed]`: sends a recording (`scimgateway.recorder`) to a running
 * gateway, request by request, ids the recorded answers gave replaced by the ones the target gives,
 * and checks that every answer has the recorded status (and a list the recorded number of results).
 * With `--seed`, first creates on the target the resources the recording used but did not create
 * (a recording made against a populated target). The credential comes from the environment, never
 * from the command line (which `ps` shows).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type RecordingReplay, type ReplayHandle, type ReplayStep, replayFromRecording, runReplay } from '@scimgw/core/testkit';

const USAGE = 'usage: scimgw replay FILE --url http(s)://host:port[/prefix] [--seed]';

interface ReplayArgs {
  file: string;
  url: string;
  /** Create the resources the recording used but did not create first. */
  seed: boolean;
}

/** Parses `replay`'s arguments; throws with a usage message. */
export function parseReplayArgs(argv: string[]): ReplayArgs {
  let file: string | undefined;
  let url: string | undefined;
  let seed = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--seed') seed = true;
    else if (a === '--url') {
      url = argv[++i];
      if (!url) throw new Error(`--url needs a URL (${USAGE})`);
    } else if (a.startsWith('--url=')) url = a.slice(6);
    else if (!a.startsWith('-') && file === undefined) file = a;
    else throw new Error(`unknown argument "${a}" (${USAGE})`);
  }
  if (!file) throw new Error(`name the recording (${USAGE})`);
  if (!url) throw new Error(`--url is required (${USAGE})`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--url: not a URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('--url: must be http:// or https://');
  if (parsed.username || parsed.password) throw new Error('--url: no credentials in the URL; set SCIMGW_REPLAY_AUTHORIZATION');
  return { file, url: url.replace(/\/+$/, ''), seed };
}

/** The Authorization header: SCIMGW_REPLAY_AUTHORIZATION as it is, or SCIMGW_REPLAY_TOKEN as a bearer token. */
function authorization(env: NodeJS.ProcessEnv): string | undefined {
  if (env.SCIMGW_REPLAY_AUTHORIZATION) return env.SCIMGW_REPLAY_AUTHORIZATION;
  if (env.SCIMGW_REPLAY_TOKEN) return `Bearer ${env.SCIMGW_REPLAY_TOKEN}`;
  return undefined;
}

/** An HTTP handle for the replay runner: the recorded URL under `base`. */
export function httpReplayHandle(base: string, auth: string | undefined): ReplayHandle {
  return async (req) => {
    const headers: Record<string, string> = { accept: 'application/scim+json, application/json', ...req.headers };
    if (auth) headers.authorization = auth;
    if (req.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/scim+json';
    const res = await fetch(`${base}${req.url.startsWith('/') ? '' : '/'}${req.url}`, {
      method: req.method,
      headers,
      ...(req.body === undefined ? {} : { body: req.body }),
      redirect: 'manual',
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: res.status, body };
  };
}

/** At most five ids, for a message. */
const some = (ids: readonly string[]) => `${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}`;

/**
 * The warning about the resources the recording used but did not create, or `undefined` when there
 * are none. `seeded` is the recording converted with seeding, `plain` without. Without `--seed`:
 * all of them, the ids named in paths listed, hinting at `--seed`; with it, those it cannot create.
 */
function notCreatedWarning(seeding: boolean, seeded: RecordingReplay & { seed: ReplayStep[] }, plain: RecordingReplay) {
  const cannot = seeded.unknownIds;
  if (seeding) {
    if (cannot.length === 0) return undefined;
    return `warning: the recording uses ${cannot.length} resource(s) it did not create that no answer of it shows, so --seed cannot create them; they must exist on the target: ${some(cannot)}`;
  }
  const total = seeded.seed.length + cannot.length;
  if (total === 0) return undefined;
  const inPaths = plain.unknownIds.length === 0 ? '' : ` (named in paths: ${some(plain.unknownIds)})`;
  const hint =
    seeded.seed.length > 0
      ? `run with --seed to create the ${seeded.seed.length} that its answers show first`
      : '--seed cannot create them: no answer of the recording shows them';
  return `warning: the recording uses ${total} resource(s) it did not create; they must exist on the target${inPaths}; ${hint}`;
}

/** Runs `scimgw replay`; resolves with the exit code. */
export async function replayCommand(
  argv: string[],
  io: { out: (s: string) => void; err: (s: string) => void; cwd: string; env?: NodeJS.ProcessEnv },
): Promise<number> {
  let args: ReplayArgs;
  try {
    args = parseReplayArgs(argv);
  } catch (e) {
    io.err(`scimgw replay: ${(e as Error).message}`);
    return 2;
  }
  const path = resolve(io.cwd, args.file);
  let replay: RecordingReplay;
  let seeded: RecordingReplay & { seed: ReplayStep[] };
  try {
    const text = readFileSync(path, 'utf8');
    seeded = replayFromRecording(text, { seed: true });
    replay = args.seed ? seeded : replayFromRecording(text);
  } catch (e) {
    io.err(`scimgw replay: ${path}: ${(e as Error).message}`);
    return 1;
  }
  const warning = notCreatedWarning(args.seed, seeded, replay);
  if (warning) io.err(warning);
  const auth = authorization(io.env ?? process.env);
  if (!auth) io.err('warning: no credential (SCIMGW_REPLAY_AUTHORIZATION or SCIMGW_REPLAY_TOKEN): requests go unauthenticated');
  const seed = replay.seed ?? [];
  try {
    await runReplay(httpReplayHandle(args.url, auth), [...seed, ...replay.steps], {}, replay.vars);
  } catch (e) {
    io.err(`scimgw replay: ${(e as Error).message}`);
    return 1;
  }
  const seededText = args.seed ? `${seed.length} resource(s) seeded, then ` : '';
  io.out(`${path}: ${seededText}${replay.steps.length} requests replayed against ${args.url}, every answer as recorded`);
  return 0;
}
