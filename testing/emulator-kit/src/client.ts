/**
 * The test side of an emulator: requests whose JSON answers are read strictly, a client that hangs
 * up in the middle of its body, and fast-check arbitraries of what a form endpoint must refuse.
 *
 * @packageDocumentation
 */
import { connect } from 'node:net';
import fc from 'fast-check';

/** The Content-Type of a form body. */
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** An answer whose body was JSON. */
export interface JsonAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** The Content-Type header, `null` without one. */
  readonly contentType: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: tests read the members they expect and fail if absent.
  readonly json: any;
}

/** Options of every request. */
export interface RequestOptions {
  /** Milliseconds until the request is given up. Default 10 seconds. */
  readonly timeoutMs?: number;
}

const signal = (options: RequestOptions) => AbortSignal.timeout(options.timeoutMs ?? 10_000);

/** Reads an answer's body as JSON; throws, with the start of the body, if it is not. */
export async function readJsonAnswer(response: Response): Promise<JsonAnswer> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`not JSON (${response.status}): ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, contentType: response.headers.get('content-type'), json };
}

/** Posts form fields (a token request). */
export async function postForm(url: string, fields: Record<string, string>, options: RequestOptions = {}): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': FORM_CONTENT_TYPE },
    body: new URLSearchParams(fields).toString(),
    signal: signal(options),
  });
  return readJsonAnswer(response);
}

/** Posts a raw body, with a Content-Type or without one. */
export async function postRaw(
  url: string,
  body: string | Uint8Array,
  contentType?: string,
  options: RequestOptions = {},
): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: contentType === undefined ? {} : { 'Content-Type': contentType },
    // A copy: DOM's BodyInit wants a view of an ArrayBuffer, not of any ArrayBufferLike.
    body: typeof body === 'string' ? body : new Uint8Array(body),
    signal: signal(options),
  });
  return readJsonAnswer(response);
}

/** GET with an optional Authorization header and other headers. */
export async function getJson(
  url: string,
  authorization?: string,
  headers: Record<string, string> = {},
  options: RequestOptions = {},
): Promise<JsonAnswer> {
  const response = await fetch(url, {
    headers: authorization === undefined ? headers : { ...headers, Authorization: authorization },
    signal: signal(options),
  });
  return readJsonAnswer(response);
}

/**
 * Sends `POST path` with a form Content-Type and a Content-Length of 1000, then only `partialBody`,
 * and hangs up 50 ms later: the server must neither answer nor wait for the rest.
 */
export function hangUpMidBody(base: string, path: string, partialBody = 'grant_type='): Promise<void> {
  const url = new URL(base);
  return new Promise<void>((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname.replace(/^\[|\]$/g, ''), () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${FORM_CONTENT_TYPE}\r\nContent-Length: 1000\r\n\r\n${partialBody}`,
      );
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 50);
    });
    socket.on('error', reject);
  });
}

/**
 * Posts a form-typed body of `chunks` KiB as a stream (chunked transfer encoding, no Content-Length),
 * so that the server learns of its size only by counting; answers the status.
 */
export async function postChunked(url: string, chunks: number): Promise<number> {
  const stream = new ReadableStream({
    start(controller) {
      for (let i = 0; i < chunks; i++) controller.enqueue(new Uint8Array(1024).fill(97));
      controller.close();
    },
  });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': FORM_CONTENT_TYPE },
    body: stream,
    duplex: 'half',
  } as RequestInit);
  await response.arrayBuffer();
  return response.status;
}

/** A form body of these fields. */
export const formBody = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

/**
 * Bodies a form endpoint of this grant type must refuse without failing: any text, forms of any
 * fields, the `extra` ones given, raw bytes, the grant type followed by anything, broken encodings
 * and names of Object's prototype.
 */
export function formBodies(grantType: string, ...extra: fc.Arbitrary<string>[]): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    fc.string(),
    fc.dictionary(fc.string(), fc.string()).map(formBody),
    ...extra,
    fc.uint8Array({ maxLength: 2000 }),
    fc.string().map((s) => `grant_type=${encodeURIComponent(grantType)}&${s}`),
    fc.constantFrom('%', '%%%', 'a=%zz&b=%E0%A4%A', '&&&===', '__proto__=1&constructor=2', 'assertion&grant_type'),
  );
}

/** Content-Types, or none: the usual ones and any printable text. */
export function contentTypes(): fc.Arbitrary<string | undefined> {
  return fc.option(
    fc.oneof(
      fc.constantFrom(FORM_CONTENT_TYPE, 'application/json', 'text/plain', 'multipart/form-data'),
      fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
    ),
    { nil: undefined },
  );
}
