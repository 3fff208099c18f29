/**
 * The deployment guide's commands, run: every `npx scimgw …` / `npx @scimgw/gateway …` line of
 * docs/guide/deploy.md and getting-started's "Without this repository" is executed in a fresh folder
 * with this build of the gateway (npm install is the one step replaced: the gateway is this
 * workspace's). Lines that need root, a container engine or Windows are listed, not run: a new
 * command in the guide fails this test until it is either run here or listed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startProcess, stopProcess } from './process-helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
const docs = join(here, '..', '..', '..', 'docs', 'guide');
const work = mkdtempSync(join(tmpdir(), 'scimgw-deploy-docs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Commands of the guide not run here, and why. */
const NOT_RUN: [RegExp, string][] = [
  [/^sudo /, 'needs root on a systemd host (the unit itself is checked by systemd-analyze in init.test.ts)'],
  [/^openssl rand .*\| sudo/, 'writes /etc/scimgw'],
  [/^docker /, 'no container engine here (container.test.ts runs the image command)'],
  [/^scimgw-service\.exe /, 'Windows only'],
  [/^npx scimgw build-binary/, 'built and run by binary.test.ts (minutes per target)'],
  [/^kubectl /, 'no Kubernetes cluster here (kubernetes.test.ts and helm.test.ts render and check the manifests)'],
  [/^helm /, 'no Kubernetes cluster here (helm.test.ts renders the chart with helm and runs its pod and test script)'],
];

/** The lines of the ```sh blocks of a page, continuation lines joined, comments dropped. */
function shellLines(page: string, from?: string): string[] {
  let text = readFileSync(join(docs, page), 'utf8');
  if (from) {
    // That section only: up to the next heading of its level.
    text = text.slice(text.indexOf(from));
    const next = text.indexOf('\n## ', from.length);
    if (next !== -1) text = text.slice(0, next);
  }
  const lines: string[] = [];
  for (const m of text.matchAll(/```sh\n([\s\S]*?)```/g))
    for (const l of (m[1] as string).replace(/\\\n\s*/g, '').split('\n')) {
      const line = l.replace(/\s+#.*$/, '').trim();
      if (line) lines.push(line);
    }
  return lines;
}

/** Runs the guide's lines the way a shell would, for the commands this test understands. */
async function runGuide(lines: string[]): Promise<{ ran: string[]; skipped: string[] }> {
  let cwd = mkdtempSync(join(work, 'sh-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  const ran: string[] = [];
  const skipped: string[] = [];
  for (const line of lines) {
    if (NOT_RUN.some(([re]) => re.test(line))) {
      skipped.push(line);
      continue;
    }
    for (let step of line.split(' && ')) {
      step = step.trim();
      const assign = /^(\w+)="?\$\(openssl rand -base64 32\)"?$/.exec(step);
      if (assign) {
        env[assign[1] as string] = 'a-seed-for-the-guide';
        continue;
      }
      if (/^export \w+$/.test(step)) continue;
      if (step.startsWith('cd ')) {
        cwd = resolve(cwd, step.slice(3));
        continue;
      }
      if (step === 'npm install') continue; // the gateway is this workspace's build
      // VAR=value … before a command: its environment.
      const stepEnv = { ...env };
      while (/^\w+=\S+ /.test(step)) {
        const [kv] = step.split(' ', 1) as [string];
        stepEnv[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1);
        step = step.slice(kv.length + 1);
      }
      const m = /^npx (?:@scimgw\/gateway|scimgw)(?: (.*))?$/.exec(step);
      if (!m) throw new Error(`the guide's command "${step}" is neither run by this test nor listed in NOT_RUN`);
      const args = (m[1] ?? '').split(' ').filter(Boolean);
      if (args[0] === 'start') {
        const port = await freePort();
        const gw = await startProcess(process.execPath, [cli, ...args, '--port', String(port)], { cwd, port, env: stepEnv });
        expect(await stopProcess(gw), step).toBe(0);
      } else {
        const r = spawnSync(process.execPath, [cli, ...args], { cwd, env: stepEnv, encoding: 'utf8' });
        expect(r.status, `${step}\n${r.stdout}${r.stderr}`).toBe(0);
      }
      ran.push(step);
    }
  }
  return { ran, skipped };
}

describe('the deployment guide, run', () => {
  it('docs/guide/deploy.md: init, check-config, start as written', async () => {
    const { ran, skipped } = await runGuide(shellLines('deploy.md'));
    expect(ran).toContain('npx @scimgw/gateway init scim-site');
    expect(ran).toContain('npx scimgw check-config');
    expect(ran.filter((r) => r.endsWith('npx scimgw start'))).toHaveLength(2);
    expect(skipped.length).toBeGreaterThan(0);
  }, 120_000);

  it("getting started's way without this repository", async () => {
    const { ran } = await runGuide(shellLines('getting-started.md', '## Without this repository'));
    expect(ran).toEqual(['npx @scimgw/gateway init scim-site', 'npx scimgw start']);
  }, 60_000);
});
