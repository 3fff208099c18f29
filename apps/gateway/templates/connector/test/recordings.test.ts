import { readdirSync, readFileSync } from 'node:fs';
import { recordingCases, testContext } from '@scimgw/core/testkit';
import { describe, it } from 'vitest';
import { createConnector } from '../src/index.js';

// Traffic recorded by a gateway (`scimgw start --record FILE`, secrets masked, personal values
// pseudonymized): drop a customer's recording in test/recordings/ and it runs here. Resources the
// recording used but did not create are created first from what its answers showed.
const dir = new URL('./recordings/', import.meta.url);
const recordings = Object.fromEntries(
  readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => [f, readFileSync(new URL(f, dir), 'utf8')]),
);

describe('{{name}} replays the recorded traffic in test/recordings', () => {
  for (const c of recordingCases({ connector: () => createConnector(testContext({ exampleData: false })), recordings })) {
    it(c.name, c.run);
  }
});
