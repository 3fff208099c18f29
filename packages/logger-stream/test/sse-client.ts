import { waitFor } from './helpers.js';

export interface SseEvent {
  event: string;
  data: string;
}

/** A minimal Server-Sent Events client over fetch, collecting events and comments. */
export interface SseClient {
  status: number;
  contentType: string;
  events: SseEvent[];
  comments: string[];
  logs(): Record<string, unknown>[];
  waitForEvent(pred: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

export async function openSse(
  url: string,
  headers: Record<string, string> = { Accept: 'text/event-stream' },
): Promise<SseClient> {
  const ac = new AbortController();
  const res = await fetch(url, { headers, signal: ac.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let buf = '';
  const parseBlock = (block: string) => {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments.push(line.slice(1).trim());
      else if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) events.push({ event, data: data.join('\n') });
  };
  if (res.body) {
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i = buf.indexOf('\n\n');
          while (i >= 0) {
            parseBlock(buf.slice(0, i));
            buf = buf.slice(i + 2);
            i = buf.indexOf('\n\n');
          }
        }
      } catch {
        // aborted
      }
    })();
  }
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    events,
    comments,
    logs: () => events.filter((e) => e.event === 'log').map((e) => JSON.parse(e.data) as Record<string, unknown>),
    async waitForEvent(pred, timeoutMs = 5000) {
      await waitFor(() => events.some(pred), timeoutMs, 'SSE event');
      return events.find(pred)!;
    },
    close: () => ac.abort(),
  };
}
