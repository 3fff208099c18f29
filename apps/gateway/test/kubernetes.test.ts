/**
 * The Kubernetes manifests (deploy/kubernetes), without a cluster (none runs on the project's
 * machines): each kustomization's workload is read and held to what the image and the gateway
 * need (the image's user, its working directory, the configuration's port and the probe routes,
 * a read-only root file system with the paths the gateway writes on volumes, secrets where the
 * configuration reads them, a grace period longer than the gateway's own shutdown), its
 * configuration passes check-config, and the embedded store's pod is run as written: its
 * configuration mounted read-only, its secrets as files readable through fsGroup, as uid 1000.
 * Where `kubectl` is installed, `kubectl kustomize` renders each as well.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROBE_PATHS } from '@scimgw/server';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../src/cli-main.js';
import { envOf, IMAGE_UIDS, one, runtimeStage } from './dockerfile.js';
import { freePort, startProcess, stopProcess } from './process-helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const gatewayDir = join(here, '..');
const repo = join(gatewayDir, '..', '..');
const k8s = join(repo, 'deploy', 'kubernetes');
const work = mkdtempSync(join(tmpdir(), 'scimgw-k8s-'));
chmodSync(work, 0o755);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A Kubernetes object, read with property access. */
type Obj = any;

/** Every document of every YAML file a kustomization lists, and the kustomization itself. */
function kustomization(name: string): { kust: Obj; text: string; objects: Obj[]; dir: string } {
  const dir = join(k8s, name);
  const text = readFileSync(join(dir, 'kustomization.yaml'), 'utf8');
  const kust = parseAllDocuments(text)[0]?.toJS() as Obj;
  const objects = (kust.resources as string[]).flatMap((f) =>
    parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => {
      expect(d.errors, f).toEqual([]);
      return d.toJS() as Obj;
    }),
  );
  return { kust, text, objects, dir };
}

/** The Dockerfile's runtime stage: its WORKDIR, USER, ENV and CMD. */
function image(): { workdir: string; user: string; env: Record<string, string>; cmd: string[] } {
  const stage = runtimeStage(readFileSync(join(repo, 'deploy', 'docker', 'Dockerfile'), 'utf8'));
  return {
    workdir: one(stage, 'WORKDIR'),
    user: one(stage, 'USER'),
    env: envOf(stage),
    cmd: JSON.parse(one(stage, 'CMD')) as string[],
  };
}

/** The keys the kustomization's `kubectl create secret` line gives the secret. */
const secretKeys = (text: string) => [...text.matchAll(/--from-file=(\w+)=/g)].map((m) => m[1] as string);

const KUSTOMIZATIONS = ['embedded-store', 'postgres'];

describe.each(KUSTOMIZATIONS)('deploy/kubernetes/%s', (name) => {
  const { kust, text, objects, dir } = kustomization(name);
  const workload = objects.find((o) => o.kind === 'StatefulSet' || o.kind === 'Deployment');
  const pod = workload.spec.template.spec;
  const container = pod.containers[0];
  const files = (kust.configMapGenerator[0].files as string[]).map((f) => join(dir, f));
  const config = JSON.parse(readFileSync(files[0] as string, 'utf8'));
  const img = image();
  const mount = (n: string) => container.volumeMounts.find((m: Obj) => m.name === n);
  const volume = (n: string) => pod.volumes?.find((v: Obj) => v.name === n);

  it("runs the image's command as the image's user, non-root, with nothing to escalate", () => {
    expect(container.image).toBe(kust.images[0].name);
    expect(container.command).toBeUndefined();
    expect(container.args).toBeUndefined();
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: IMAGE_UIDS[img.user],
      runAsGroup: IMAGE_UIDS[img.user],
      fsGroup: IMAGE_UIDS[img.user],
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    // The image's environment (memory settings) is left as the image sets it.
    for (const e of container.env) expect(Object.keys(img.env)).not.toContain(e.name);
    expect(container.resources.limits.memory).toMatch(/^\d+Mi$/);
  });

  it("listens where the configuration says and probes the gateway's own routes", () => {
    const port = container.ports.find((p: Obj) => p.name === 'http');
    expect(port.containerPort).toBe(config.scimgateway.port);
    expect(config.scimgateway.localhostonly).toBe(false);
    for (const probe of ['startupProbe', 'livenessProbe'])
      expect(container[probe].httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    for (const p of ['/healthz', '/readyz']) expect(PROBE_PATHS).toContain(p);
    const service = objects.find((o) => o.kind === 'Service');
    expect(service.spec.ports).toEqual([{ name: 'http', port: config.scimgateway.port, targetPort: 'http' }]);
  });

  it('stops within the grace period: the preStop pause and the shutdown timeout fit in it', () => {
    const pause = Number(container.lifecycle.preStop.exec.command[1]);
    const shutdown = config.scimgateway.kubernetes?.shutdownTimeout ?? 15;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(pause + shutdown + 5);
  });

  it('mounts the configuration read-only, its secrets where it reads them, and writes only to volumes', () => {
    expect(mount('config')).toEqual({ name: 'config', mountPath: `${img.workdir}/config`, readOnly: true });
    expect(volume('config').configMap.name).toBe(kust.configMapGenerator[0].name);
    expect(mount('tmp').mountPath).toBe('/tmp');
    expect(volume('tmp').emptyDir).toEqual({});
    // Every file the configuration reads is a key of the secret, mounted at /run/secrets, readable by the image's group.
    const read = [...JSON.stringify(config).matchAll(/process\.text\.\/run\/secrets\/(\w+)/g)].map((m) => m[1]);
    const seed = container.env.find((e: Obj) => e.name === 'SEED_FILE').value as string;
    expect(seed.startsWith('/run/secrets/')).toBe(true);
    expect(new Set(secretKeys(text))).toEqual(new Set([...read, seed.slice('/run/secrets/'.length)]));
    expect(mount('secrets')).toEqual({ name: 'secrets', mountPath: '/run/secrets', readOnly: true });
    expect(volume('secrets').secret.defaultMode).toBe(0o440);
    // Every environment variable the configuration reads is set.
    for (const m of JSON.stringify(config).matchAll(/process\.env\.(\w+)/g))
      expect(
        container.env.map((e: Obj) => e.name),
        m[1],
      ).toContain(m[1]);
    // The embedded store writes its directory: on the persistent volume, and never more than one writer.
    if (config.endpoint.persistence) {
      expect(workload.kind).toBe('StatefulSet');
      expect(workload.spec.replicas).toBe(1);
      expect(mount('data').mountPath).toBe(`${img.workdir}/${config.endpoint.directory}`);
      expect(workload.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    } else {
      expect(workload.kind).toBe('Deployment');
      expect(workload.spec.replicas).toBeGreaterThan(1);
      expect(workload.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      expect(objects.find((o) => o.kind === 'PodDisruptionBudget').spec.minAvailable).toBe(1);
    }
    // Logs go to the console: the root file system is read-only.
    expect(config.scimgateway.log.loglevel.file).toBe('off');
  });

  it('its configuration passes check-config, with its secrets as files and its environment', async () => {
    const secrets = mkdtempSync(join(work, 'secrets-'));
    for (const s of secretKeys(text)) writeFileSync(join(secrets, s), `${s}-value\n`);
    const copy = join(mkdtempSync(join(work, 'cfg-')), files[0]?.split('/').pop() as string);
    writeFileSync(copy, readFileSync(files[0] as string, 'utf8').replaceAll('/run/secrets/', `${secrets}/`));
    const before = { ...process.env };
    for (const e of container.env) process.env[e.name] = String(e.value).replace('/run/secrets/', `${secrets}/`);
    const out: string[] = [];
    try {
      // The PostgreSQL connector resolves from its own package (the gateway does not depend on it).
      const cwd = name === 'postgres' ? join(repo, 'packages', 'connector-postgres') : work;
      const code = await runCli(['check-config', '--config', copy], { out: (s) => out.push(s), err: (s) => out.push(s), cwd });
      expect(code, out.join('\n')).toBe(0);
    } finally {
      for (const e of container.env) {
        if (before[e.name] === undefined) delete process.env[e.name];
        else process.env[e.name] = before[e.name];
      }
    }
  });

  it('renders with kubectl kustomize, where kubectl is installed', () => {
    const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 30_000 });
    if (r.error) return; // no kubectl on this machine: the checks above read the sources
    expect(r.status, r.stderr).toBe(0);
    const rendered = parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj);
    const cm = rendered.find((o) => o.kind === 'ConfigMap');
    expect(JSON.parse(cm.data[files[0]?.split('/').pop() as string])).toEqual(config);
    const w = rendered.find((o) => o.kind === workload.kind);
    // The generated ConfigMap's hashed name reaches the pod; the labels select the pods.
    expect(w.spec.template.spec.volumes.find((v: Obj) => v.name === 'config').configMap.name).toBe(cm.metadata.name);
    expect(w.spec.selector.matchLabels).toEqual(w.spec.template.metadata.labels);
    expect(rendered.find((o) => o.kind === 'Service').spec.selector).toEqual(w.spec.selector.matchLabels);
  });
});

describe('the embedded store pod, run as written (no cluster)', () => {
  it('serves from a read-only configuration, with fsGroup-readable secrets, as uid 1000; stops on SIGTERM in time', async () => {
    const { kust, text, objects, dir } = kustomization('embedded-store');
    const workload = objects.find((o) => o.kind === 'StatefulSet');
    const pod = workload.spec.template.spec;
    const container = pod.containers[0];
    const img = image();
    const uid = pod.securityContext.runAsUser as number;
    const gid = pod.securityContext.fsGroup as number;
    const asRoot = process.getuid?.() === 0;
    const port = await freePort();

    // The pod's file system: the image's working directory, the volumes mounted into it.
    const root = mkdtempSync(join(work, 'root-'));
    chmodSync(root, 0o755);
    const app = join(root, img.workdir);
    mkdirSync(join(app, 'node_modules', '@scimgw'), { recursive: true });
    symlinkSync(gatewayDir, join(app, 'node_modules', '@scimgw', 'gateway'));
    const secrets = join(root, 'run', 'secrets');
    mkdirSync(secrets, { recursive: true });
    const password = 'k8s-gw-password';
    for (const s of secretKeys(text)) writeFileSync(join(secrets, s), s === 'gw_password' ? password : `${s}-value`);
    // A ConfigMap volume: files owned by root, read-only.
    const config = join(app, 'config');
    mkdirSync(config);
    for (const f of kust.configMapGenerator[0].files as string[]) {
      const body = readFileSync(join(dir, f), 'utf8')
        .replaceAll('/run/secrets/', `${secrets}/`)
        .replace('"port": 8880', `"port": ${port}`);
      writeFileSync(join(config, f.split('/').pop() as string), body);
    }
    const data = join(app, 'data');
    mkdirSync(data);
    for (const d of [root, join(root, img.workdir.split('/')[1] as string), app, join(root, 'run')]) chmodSync(d, 0o755);
    for (const f of readdirSync(config)) chmodSync(join(config, f), 0o444);
    chmodSync(config, 0o555);
    // The secret volume: defaultMode 0440, group fsGroup; the data volume: owned by fsGroup.
    if (asRoot) {
      for (const s of readdirSync(secrets)) {
        chownSync(join(secrets, s), 0, gid);
        chmodSync(join(secrets, s), volumeMode(pod));
      }
      chmodSync(secrets, 0o755);
      chownSync(data, 0, gid);
      chmodSync(data, 0o2775);
    }
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...img.env };
    for (const e of container.env) env[e.name] = e.value.replace('/run/secrets/', `${secrets}/`);
    const [c, ...a] = asRoot ? ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, `--groups=${gid}`, '--', ...img.cmd] : img.cmd;
    const configBefore = readdirSync(config).map((f) => readFileSync(join(config, f), 'utf8'));
    const gw = await startProcess(c as string, a, { cwd: app, port, env });
    const base = `http://127.0.0.1:${port}`;
    let stopped = false;
    try {
      for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe])
        expect((await fetch(`${base}${probe.httpGet.path}`)).status).toBe(200);
      const auth = `Basic ${Buffer.from(`gwadmin:${password}`).toString('base64')}`;
      const created = await fetch(`${base}/Users`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/scim+json' },
        body: JSON.stringify({ userName: 'k8s.user@example.com' }),
      });
      expect(created.status).toBe(201);
      const started = Date.now();
      const code = await stopProcess(gw);
      stopped = true;
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan((pod.terminationGracePeriodSeconds - 5) * 1000);
    } finally {
      if (!stopped) await stopProcess(gw);
    }
    // Nothing was written to the read-only configuration; the store went to the volume, as the pod's user.
    expect(readdirSync(config).map((f) => readFileSync(join(config, f), 'utf8'))).toEqual(configBefore);
    expect(readdirSync(data).length).toBeGreaterThan(0);
    if (asRoot) for (const f of readdirSync(data)) expect(statSync(join(data, f)).uid, f).toBe(uid);
  }, 60_000);
});

/** The mode the pod's secret volume gives its files. */
function volumeMode(pod: Obj): number {
  return pod.volumes.find((v: Obj) => v.name === 'secrets').secret.defaultMode as number;
}
