/**
 * What every way we ship Kubernetes manifests (the kustomizations in deploy/kubernetes, the Helm
 * chart in deploy/helm/scimgw) must give the gateway, checked the same way for each: a workload
 * that runs the image's command as the image's user with nothing to escalate, listens where its
 * configuration says and probes the gateway's own routes, stops within its grace period, mounts the
 * configuration read-only and its secrets where the configuration reads them, writes only to
 * volumes; objects valid against the Kubernetes API's schemas; and the pod run as written, without
 * a cluster (none runs on the project's machines).
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
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
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { expect, it } from 'vitest';
import { envOf, IMAGE_UIDS, one, runtimeStage } from './dockerfile.js';
import { freePort, startProcess, stopProcess } from './process-helpers.js';
import { runCli } from '../src/cli-main.js';

const here = dirname(fileURLToPath(import.meta.url));
export const gatewayDir = join(here, '..');
export const repo = join(gatewayDir, '..', '..');

/** A Kubernetes object, read with property access. */
export type Obj = any;

/** One way of shipping the manifests, as the checks need it. */
export interface Source {
  /** The objects (as written, or as rendered). */
  objects: Obj[];
  /** The configuration's file name in config/, and its text as the pod reads it. */
  configFile: string;
  configText: string;
  /** The name the pod's config volume must give: the ConfigMap that holds the configuration. */
  configMapName: string;
  /** The keys of the Secret mounted at /run/secrets. */
  secretKeys: string[];
  /** The image the container must run. */
  image: string;
}

/** The Dockerfile's runtime stage: its WORKDIR, USER, ENV and CMD. */
export function image(): { workdir: string; user: string; env: Record<string, string>; cmd: string[] } {
  const stage = runtimeStage(readFileSync(join(repo, 'deploy', 'docker', 'Dockerfile'), 'utf8'));
  return {
    workdir: one(stage, 'WORKDIR'),
    user: one(stage, 'USER'),
    env: envOf(stage),
    cmd: JSON.parse(one(stage, 'CMD')) as string[],
  };
}

export const workloadOf = (objects: Obj[]) => objects.find((o) => o.kind === 'StatefulSet' || o.kind === 'Deployment');

/**
 * `helm` or `kubectl`: from .tools/k8s (fetched by scripts/ensure-k8s-tools.mjs, which `npm test`
 * runs) or PATH. Missing, the test fails, unless SCIMGW_NO_K8S_TOOLS=skip says skipping is intended
 * (set by `npm test` on machines where neither can be had); then null.
 */
export function k8sTool(name: 'helm' | 'kubectl'): string | null {
  const local = join(repo, '.tools', 'k8s', name);
  if (existsSync(local)) return local;
  if (spawnSync(name, ['version', '--client'], { encoding: 'utf8' }).status === 0) return name;
  if (process.env.SCIMGW_NO_K8S_TOOLS === 'skip') return null;
  throw new Error(`${name} is not installed: run node scripts/ensure-k8s-tools.mjs (npm test does)`);
}

const MODELS: Record<string, new (o: Obj) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Pod': Pod,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': Ingress,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

/**
 * Each object against the Kubernetes API's schema of its kind (types, formats, required fields).
 * Kinds outside the core API (a ServiceMonitor) are the caller's to check.
 */
export function validateObjects(objects: Obj[], others: string[] = []): void {
  const faults: string[] = [];
  for (const o of objects) {
    const key = `${o.apiVersion}/${o.kind}`;
    if (others.includes(key)) continue;
    const Model = MODELS[key];
    if (!Model) faults.push(`${key}: no schema here for this kind`);
    else
      try {
        new Model(o).validate();
      } catch (e) {
        faults.push(`${key} ${o.metadata?.name}: ${(e as Error).message}`);
      }
  }
  if (faults.length) throw new Error(faults.join('\n'));
}

/** The checks every source of manifests passes; registers its tests in the current describe. */
export function workloadChecks(get: () => Source): void {
  const parts = () => {
    const s = get();
    const workload = workloadOf(s.objects);
    const pod = workload.spec.template.spec;
    const container = pod.containers[0];
    return {
      s,
      workload,
      pod,
      container,
      config: JSON.parse(s.configText),
      img: image(),
      mount: (n: string) => container.volumeMounts.find((m: Obj) => m.name === n),
      volume: (n: string) => pod.volumes?.find((v: Obj) => v.name === n),
    };
  };

  it("runs the image's command as the image's user, non-root, with nothing to escalate", () => {
    const { s, pod, container, img } = parts();
    expect(container.image).toBe(s.image);
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
    const { s, container, config } = parts();
    const port = container.ports.find((p: Obj) => p.name === 'http');
    expect(port.containerPort).toBe(config.scimgateway.port);
    expect(config.scimgateway.localhostonly).toBe(false);
    for (const probe of ['startupProbe', 'livenessProbe'])
      expect(container[probe].httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    for (const p of ['/healthz', '/readyz']) expect(PROBE_PATHS).toContain(p);
    const service = s.objects.find((o) => o.kind === 'Service');
    expect(service.spec.ports).toEqual([{ name: 'http', port: config.scimgateway.port, targetPort: 'http' }]);
  });

  it('stops within the grace period: the preStop pause and the shutdown timeout fit in it', () => {
    const { pod, container, config } = parts();
    const pause = Number(container.lifecycle.preStop.exec.command[1]);
    const shutdown = config.scimgateway.kubernetes?.shutdownTimeout ?? 15;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(pause + shutdown + 5);
  });

  it('mounts the configuration read-only, its secrets where it reads them, and writes only to volumes', () => {
    const { s, workload, container, config, img, mount, volume } = parts();
    expect(mount('config')).toEqual({ name: 'config', mountPath: `${img.workdir}/config`, readOnly: true });
    expect(volume('config').configMap.name).toBe(s.configMapName);
    expect(mount('tmp').mountPath).toBe('/tmp');
    expect(volume('tmp').emptyDir).toEqual({});
    // Every file the configuration reads is a key of the secret, mounted at /run/secrets, readable by the image's group.
    const read = [...s.configText.matchAll(/process\.text\.\/run\/secrets\/(\w+)/g)].map((m) => m[1]);
    const seed = container.env.find((e: Obj) => e.name === 'SEED_FILE').value as string;
    expect(seed.startsWith('/run/secrets/')).toBe(true);
    expect(new Set(s.secretKeys)).toEqual(new Set([...read, seed.slice('/run/secrets/'.length)]));
    expect(mount('secrets')).toEqual({ name: 'secrets', mountPath: '/run/secrets', readOnly: true });
    expect(volume('secrets').secret.defaultMode).toBe(0o440);
    // Every environment variable the configuration reads is set.
    for (const m of s.configText.matchAll(/process\.env\.(\w+)/g))
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
      expect(s.objects.find((o) => o.kind === 'PodDisruptionBudget').spec.minAvailable).toBe(1);
    }
    // Logs go to the console: the root file system is read-only.
    expect(config.scimgateway.log.loglevel.file).toBe('off');
  });

  it('its configuration passes check-config, with its secrets as files and its environment', async () => {
    const { s, container } = parts();
    const work = mkdtempSync(join(tmpdir(), 'scimgw-k8s-check-'));
    try {
      const secrets = join(work, 'secrets');
      mkdirSync(secrets);
      for (const k of s.secretKeys) writeFileSync(join(secrets, k), `${k}-value\n`);
      const copy = join(work, s.configFile);
      writeFileSync(copy, s.configText.replaceAll('/run/secrets/', `${secrets}/`));
      const before = { ...process.env };
      for (const e of container.env) process.env[e.name] = String(e.value).replace('/run/secrets/', `${secrets}/`);
      const out: string[] = [];
      try {
        // A connector the gateway does not depend on resolves from its own package.
        const pkg = join(repo, 'packages', s.configFile.replace(/\.json$/, ''));
        const cwd = s.configFile.startsWith('connector-loki') ? work : pkg;
        const code = await runCli(['check-config', '--config', copy], { out: (l) => out.push(l), err: (l) => out.push(l), cwd });
        expect(code, out.join('\n')).toBe(0);
      } finally {
        for (const e of container.env) {
          if (before[e.name] === undefined) delete process.env[e.name];
          else process.env[e.name] = before[e.name];
        }
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it("is valid against the Kubernetes API's schemas", () => {
    validateObjects(get().objects, ['monitoring.coreos.com/v1/ServiceMonitor']);
  });
}

/**
 * Runs the embedded store's pod as written, without a cluster: the image's working directory with
 * the gateway installed, the configuration in a read-only folder owned by root, the secrets with the
 * secret volume's mode and the pod's group, the command as the pod's user (when the tests run as
 * root). It must answer its probes and a SCIM create, write nothing to its configuration, write the
 * store to the volume as its user, and stop on SIGTERM within the grace period. `whileUp` runs
 * while it serves, with its base URL.
 */
export async function runPodAsWritten(s: Source, work: string, whileUp?: (base: string) => Promise<void>): Promise<void> {
  const workload = workloadOf(s.objects);
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
  for (const k of s.secretKeys) writeFileSync(join(secrets, k), k === 'gw_password' ? password : `${k}-value`);
  // A ConfigMap volume: files owned by root, read-only.
  const config = join(app, 'config');
  mkdirSync(config);
  const configPort = JSON.parse(s.configText).scimgateway.port as number;
  writeFileSync(
    join(config, s.configFile),
    s.configText.replaceAll('/run/secrets/', `${secrets}/`).replace(new RegExp(`"port": ${configPort}\\b`), `"port": ${port}`),
  );
  const dataMount = container.volumeMounts.find((m: Obj) => m.name === 'data').mountPath as string;
  const data = join(root, dataMount);
  mkdirSync(data);
  for (const d of [root, join(root, img.workdir.split('/')[1] as string), app, join(root, 'run')]) chmodSync(d, 0o755);
  for (const f of readdirSync(config)) chmodSync(join(config, f), 0o444);
  chmodSync(config, 0o555);
  // The secret volume: its defaultMode, group fsGroup; the data volume: owned by fsGroup.
  const mode = pod.volumes.find((v: Obj) => v.name === 'secrets').secret.defaultMode as number;
  if (asRoot) {
    for (const k of readdirSync(secrets)) {
      chownSync(join(secrets, k), 0, gid);
      chmodSync(join(secrets, k), mode);
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
    await whileUp?.(base);
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
}
