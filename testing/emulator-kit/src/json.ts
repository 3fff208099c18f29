import type { ServerResponse } from 'node:http';

/** The Content-Type of every answer. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** A reply: status, JSON body and any headers of its own (such as `WWW-Authenticate`). */
export interface JsonReply<Body = unknown> {
  readonly status: number;
  readonly body: Body;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Writes a reply: its headers, then the JSON body with its Content-Type and Content-Length. */
export function sendJson(res: ServerResponse, reply: JsonReply): void {
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'Content-Type': JSON_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
