/**
 * A gateway traffic recording as replay steps: each recorded request becomes a step expecting the
 * recorded status; ids the answers gave become variables, so the replay works against a target
 * that gives other ids.
 */
import { fail, type ReplayStep } from '../idp/step.js';
import { RecordingNames } from './names.js';
import { type Located, readRecording } from './parse.js';
import { seedSteps } from './seed.js';
import { entityTags, isDiscovery, pathId, templateBody, templateHeaders, templateUrl } from './template.js';
import type { RecordedExchange, RecordingHeader, RecordingReplay, RecordingReplayOptions } from './types.js';
import { addedMembers, usedResources } from './used.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A fresh strong password for `{{secret}}`: every character class, 24 random hex digits. */
function freshSecret(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(12));
  return `Rp-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}aZ9!`;
}

/** The entity tags the recording's requests send in `If-Match`/`If-None-Match`. */
function usedTags(located: readonly Located[]): Set<string> {
  const out = new Set<string>();
  for (const { exchange } of located)
    for (const [k, v] of Object.entries(exchange.headers ?? {}))
      if (k === 'if-match' || k === 'if-none-match') for (const tag of entityTags(v)) out.add(tag);
  return out;
}

/** Names what a 2xx answer introduces: ids (and entity tags a later request sends); its captures. */
function captures(response: unknown, names: RecordingNames): Record<string, string> {
  const out: Record<string, string> = {};
  const take = (resource: unknown, at: string) => {
    if (!isObject(resource)) return;
    const meta = isObject(resource.meta) ? resource.meta : {};
    const id = typeof resource.id === 'string' ? names.addId(resource.id, meta.resourceType) : undefined;
    if (id !== undefined) out[id] = at === '' ? 'id' : `${at}/id`;
    const tag = typeof meta.version === 'string' ? names.addTag(meta.version) : undefined;
    if (tag !== undefined) out[tag] = `${at}/meta/version`;
  };
  if (!isObject(response) || !Array.isArray(response.Resources)) take(response, '');
  else
    response.Resources.forEach((r, i) => {
      take(r, `/Resources/${i}`);
    });
  return out;
}

/** A list answer's check: `totalResults` as recorded. */
function totalCheck(total: number): NonNullable<ReplayStep['check']> {
  return (body) => {
    if (body?.totalResults !== total) fail(`totalResults: expected ${total} as recorded, got ${body?.totalResults}`);
  };
}

/** A step, when its request was being answered, and the variables it uses. */
interface Burstable {
  step: ReplayStep;
  from: number;
  to: number;
  uses: string[];
}

/** One exchange as a step: ids earlier answers gave replaced, what its answer gives captured. */
function toStep(x: RecordedExchange, names: RecordingNames): Burstable {
  const used = pathId(x.url.split('?')[0] as string);
  if (used) names.usePathId(used.id, x.status !== 404);
  const url = templateUrl(x.url, names.ids);
  const path = (url.split('?')[0] as string).replace(/\{\{(\w+):uri\}\}/g, '{{$1}}');
  const step: ReplayStep = { name: `#${x.seq} ${x.method} ${path}`, method: x.method, url, status: x.status };
  // A stand-in first named as a member this request adds gets its variable here, in order.
  for (const m of addedMembers(x)) names.nameSeeded(m.id);
  if (x.body !== undefined) step.body = templateBody(x.body, names.ids);
  if (x.headers !== undefined) step.headers = templateHeaders(x.headers, names.tags);
  if (x.status >= 200 && x.status < 300) {
    const capture = isDiscovery(x.url) ? {} : captures(x.response, names);
    if (Object.keys(capture).length > 0) step.capture = capture;
    if (isObject(x.response) && Array.isArray(x.response.Resources) && typeof x.response.totalResults === 'number')
      step.check = totalCheck(x.response.totalResults);
  }
  const uses = [...JSON.stringify([url, step.body, step.headers]).matchAll(/\{\{(\w+)(?::uri)?\}\}/g)].map((m) => m[1] as string);
  return { step, from: x.at, to: x.at + x.ms, uses };
}

/**
 * Marks requests that overlapped in time as a `group` (sent at once on replay): each one that
 * arrived before all earlier ones of its group were answered, unless it uses what one of them
 * captured (then it was sent after that answer, whatever the clock says).
 */
function markBursts(steps: readonly Burstable[]): void {
  let members: ReplayStep[] = [];
  let end = Number.NEGATIVE_INFINITY;
  const captured = new Set<string>();
  const close = () => {
    if (members.length > 1) for (const s of members) s.group = `burst from ${members[0]?.name}`;
  };
  for (const { step, from, to, uses } of steps) {
    if (!(from < end) || uses.some((v) => captured.has(v))) {
      close();
      members = [];
      end = Number.NEGATIVE_INFINITY;
      captured.clear();
    }
    members.push(step);
    end = Math.max(end, to);
    for (const name of Object.keys(step.capture ?? {})) captured.add(name);
  }
  close();
}

/**
 * Turns a gateway traffic recording into replay steps for {@link runReplay}.
 *
 * Each exchange becomes a step (`#12 POST /Users`) expecting the recorded status. An id a 2xx
 * answer introduces (a resource's `id`, a list's `Resources[i].id`) is captured as
 * `<resourceType><n>` (`user1`, `group1`) and replaced in later requests: as the id segment of a
 * resource path, quoted in the query or in a body string, and as a whole body string. A list
 * answer's step checks `totalResults`; nothing else is compared. Requests that overlapped in time
 * become a `group`. Ids the requests name in paths that no answer gave are `unknownIds`.
 *
 * With `{ seed: true }`, the result also has `seed`: a create for each resource the recording used
 * but did not create (found by a lookup, read, changed), from the body an answer showed for it, so
 * that a recording made against a populated target replays on an empty one. Such a resource's
 * variable is then set by its seed step, not by the step that first showed it.
 *
 * @param input - the JSONL text (blank lines ignored), or its records
 * @param options - `seed`: also return the seed steps (default `false`)
 * @throws Error naming the line (or entry) that is not JSON or not a recorded exchange
 * @example
 * const replay = replayFromRecording(readFileSync('traffic.jsonl', 'utf8'));
 * await runReplay((req) => handler.handle(req), replay.steps, {}, replay.vars);
 * @example
 * const seeded = replayFromRecording(text, { seed: true });
 * await runReplay((req) => handler.handle(req), [...seeded.seed, ...seeded.steps], {}, seeded.vars);
 */
export function replayFromRecording(
  input: string | readonly (RecordedExchange | RecordingHeader)[],
  options: RecordingReplayOptions & { seed: true },
): RecordingReplay & { seed: ReplayStep[] };
export function replayFromRecording(
  input: string | readonly (RecordedExchange | RecordingHeader)[],
  options?: RecordingReplayOptions,
): RecordingReplay;
export function replayFromRecording(
  input: string | readonly (RecordedExchange | RecordingHeader)[],
  options: RecordingReplayOptions = {},
): RecordingReplay {
  const located = readRecording(input);
  const used = options.seed ? usedResources(located) : [];
  const names = new RecordingNames(usedTags(located), new Map(used.map((r) => [r.id, r.resourceType])));
  const steps = located.map(({ exchange, where }) => {
    try {
      return toStep(exchange, names);
    } catch (e) {
      throw new Error(`${where}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  markBursts(steps);
  const replay: RecordingReplay = {
    steps: steps.map((s) => s.step),
    vars: { secret: freshSecret() },
    unknownIds: names.unknownIds(),
  };
  if (options.seed) replay.seed = seedSteps(used, names.ids, (at) => replay.steps[at]?.name ?? '');
  return replay;
}
