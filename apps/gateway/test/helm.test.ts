/**
 * The Helm chart (deploy/helm/scimgw), rendered by the real `helm` (3.17; scripts/ensure-k8s-tools.mjs
 * fetches it), without a cluster: `helm lint --strict`; the rendered manifests held to the checks
 * every way we ship manifests passes (k8s-manifests.ts, the kustomizations' too); values the chart
 * must refuse, each refused naming the value; what NOTES.txt tells the user; the embedded store's
 * pod run as written from the rendered manifests, with the chart's `helm test` pod script run
 * against it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  k8sTool,
  type Obj,
  repo,
  runPodAsWritten,
  type Source,
  validateObjects,
  workloadChecks,
  workloadOf,
} from './k8s-manifests.js';

const chart = join(repo, 'deploy', 'helm', 'scimgw');
const helm = k8sTool('helm');
const work = mkdtempSync(join(tmpdir(), 'scimgw-helm-'));
chmodSync(work, 0o755);
afterAll(() => rmSync(work, { recursive: true, force: true }));
// Helm keeps no state of ours anywhere else.
const env = {
  ...process.env,
  HELM_CACHE_HOME: join(work, 'cache'),
  HELM_CONFIG_HOME: join(work, 'config'),
  HELM_DATA_HOME: join(work, 'data'),
};

/** `helm args…`; its exit code, stdout and stderr. */
function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(helm as string, args, { encoding: 'utf8', env, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Values as `helm template` flags: files from the chart's folder, then `--set-json` pairs. */
type Values = { files?: string[]; set?: Record<string, unknown> };
const flags = (v: Values = {}) => [
  ...(v.files ?? []).flatMap((f) => ['-f', join(chart, f)]),
  ...Object.entries(v.set ?? {}).flatMap(([k, x]) => ['--set-json', `${k}=${JSON.stringify(x)}`]),
];

/** The chart rendered with these values, as objects. */
function render(v?: Values, extra: string[] = []): Obj[] {
  const r = run(['template', 'rel', chart, '--namespace', 'idm', ...flags(v), ...extra]);
  expect(r.status, r.stderr).toBe(0);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Obj)
    .filter(Boolean);
}

/**
 * NOTES.txt rendered with these values. `helm template` leaves NOTES out and `helm install
 * --dry-run` needs a cluster, so a copy of the chart renders it through `tpl` from a template of
 * its own: the same engine, the same values, the same text.
 */
let notesChart: string | undefined;
function notes(v?: Values): string {
  if (!notesChart) {
    notesChart = join(work, 'notes-chart');
    cpSync(chart, notesChart, { recursive: true });
    copyFileSync(join(chart, 'templates', 'NOTES.txt'), join(notesChart, 'notes.txt'));
    writeFileSync(join(notesChart, 'templates', 'zz-notes.yaml'), 'notes: {{ tpl (.Files.Get "notes.txt") . | toJson }}\n');
  }
  const r = run(['template', 'rel', notesChart, '--namespace', 'idm', '--show-only', 'templates/zz-notes.yaml', ...flags(v)]);
  expect(r.status, r.stderr).toBe(0);
  return parse(r.stdout).notes as string;
}

/** The keys NOTES.txt tells the user to create the Secret with. */
const notedKeys = (text: string) => [...text.matchAll(/--from-file=([\w.-]+)=/g)].map((m) => m[1] as string);

/** The rendered chart as the shared checks read it. Secret keys: the Secret the chart makes, else what NOTES.txt asks for. */
function source(v?: Values): Source {
  const objects = render(v);
  const cm = objects.find((o) => o.kind === 'ConfigMap');
  const [configFile, configText] = Object.entries(cm.data as Record<string, string>)[0] as [string, string];
  const secret = objects.find((o) => o.kind === 'Secret');
  const values = parse(readFileSync(join(chart, 'values.yaml'), 'utf8'));
  const repository = (v?.files ?? []).map((f) => parse(readFileSync(join(chart, f), 'utf8')).image?.repository).find(Boolean);
  const appVersion = parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8')).appVersion;
  return {
    objects,
    configFile,
    configText,
    configMapName: cm.metadata.name,
    secretKeys: secret ? Object.keys(secret.data) : notedKeys(notes(v)),
    image: `${repository ?? values.image.repository}:${appVersion}`,
  };
}

const created = { 'secrets.create': true, 'secrets.values': { seed: 's33d', gw_password: 'pw' } };

/** The chart's default configuration (the embedded store's example), changed by `change`: `config` is always given whole. */
function config(change: (c: Obj) => void): { config: Obj } {
  const cm = render().find((o) => o.kind === 'ConfigMap');
  const c = JSON.parse(Object.values(cm.data as Record<string, string>)[0] as string);
  change(c);
  return { config: c };
}

describe.skipIf(!helm)('deploy/helm/scimgw', () => {
  it('passes helm lint --strict, with its defaults and with each example', () => {
    for (const files of [[], ...readdirSync(join(chart, 'examples')).map((f) => [`examples/${f}`])]) {
      const r = run(['lint', '--strict', chart, ...flags({ files })]);
      expect(r.status, `${files} ${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  it("defaults to the gateway's version as the image tag, and packs", () => {
    const c = parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8'));
    const gateway = JSON.parse(readFileSync(join(repo, 'apps', 'gateway', 'package.json'), 'utf8'));
    expect(c.appVersion).toBe(gateway.version);
    const r = run(['package', chart, '--destination', work]);
    expect(r.status, r.stderr).toBe(0);
    const tgz = join(work, `scimgw-${c.version}.tgz`);
    expect(run(['lint', '--strict', tgz]).status).toBe(0);
    expect(run(['show', 'values', tgz]).stdout.trimEnd()).toBe(readFileSync(join(chart, 'values.yaml'), 'utf8').trimEnd());
  });

  describe('the embedded store, the chart making the Secret', () => {
    workloadChecks(() => source({ set: created }));
  });
  describe('the embedded store, with a Secret of your own (the keys NOTES.txt asks for)', () => {
    workloadChecks(() => source());
  });
  describe('examples/postgres.yaml: stateless replicas', () => {
    workloadChecks(() => source({ files: ['examples/postgres.yaml'] }));
  });

  it('labels select the pods; the Service, the PodDisruptionBudget and the HorizontalPodAutoscaler find the workload', () => {
    const objects = render({ files: ['examples/postgres.yaml'], set: { 'autoscaling.enabled': true } });
    validateObjects(objects);
    const w = workloadOf(objects);
    const selector = w.spec.selector.matchLabels;
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    expect(w.spec.template.metadata.labels).toMatchObject(selector);
    expect(objects.find((o) => o.kind === 'Service').spec.selector).toEqual(selector);
    expect(objects.find((o) => o.kind === 'PodDisruptionBudget').spec.selector.matchLabels).toEqual(selector);
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: w.metadata.name });
    // The autoscaler owns the replica count: the Deployment leaves it out.
    expect(w.spec.replicas).toBeUndefined();
    // One replica needs no disruption budget (it could never be drained).
    expect(
      render({ files: ['examples/postgres.yaml'], set: { replicaCount: 1 } }).some((o) => o.kind === 'PodDisruptionBudget'),
    ).toBe(false);
  });

  it('restarts the pods when the configuration or the Secret it makes changes', () => {
    const annotations = (v: Values) => workloadOf(render(v)).spec.template.metadata.annotations;
    const a = annotations({ set: created });
    expect(a['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    expect(a['checksum/secrets']).toMatch(/^[0-9a-f]{64}$/);
    const b = annotations({ set: { ...created, ...config((c) => (c.scimgateway.log.loglevel.console = 'debug')) } });
    expect(b['checksum/config']).not.toBe(a['checksum/config']);
    expect(b['checksum/secrets']).toBe(a['checksum/secrets']);
    const c = annotations({ set: { ...created, 'secrets.values': { seed: 'other', gw_password: 'pw' } } });
    expect(c['checksum/secrets']).not.toBe(a['checksum/secrets']);
    expect(c['checksum/config']).toBe(a['checksum/config']);
  });

  it('puts the secret values it is given in the Secret, and nowhere else', () => {
    const objects = render({ set: created });
    const secret = objects.find((o) => o.kind === 'Secret');
    expect(
      Object.fromEntries(Object.entries(secret.data).map(([k, x]) => [k, Buffer.from(x as string, 'base64').toString()])),
    ).toEqual(created['secrets.values']);
    const others = JSON.stringify(objects.filter((o) => o.kind !== 'Secret'));
    for (const value of Object.values(created['secrets.values'])) expect(others).not.toContain(value);
  });

  it('serves HTTPS when the configuration has a certificate: the probes, the test pod and the ServiceMonitor follow', () => {
    const pem = { key: '/run/tls/tls.key', cert: '/run/tls/tls.crt' };
    const objects = render(
      {
        files: ['examples/ingress-tls.yaml'],
        set: { 'tls.existingSecret': 'scimgw-tls' },
      },
      ['--set-json', `config.scimgateway.certificate=${JSON.stringify(pem)}`],
    );
    validateObjects(objects, ['monitoring.coreos.com/v1/ServiceMonitor']);
    const w = workloadOf(objects);
    const c = w.spec.template.spec.containers[0];
    for (const p of ['startupProbe', 'livenessProbe', 'readinessProbe']) expect(c[p].httpGet.scheme).toBe('HTTPS');
    expect(c.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/run/tls', readOnly: true });
    expect(w.spec.template.spec.volumes).toContainEqual({
      name: 'tls',
      secret: { secretName: 'scimgw-tls', defaultMode: 0o440 },
    });
    const sm = objects.find((o) => o.kind === 'ServiceMonitor');
    expect(sm.spec.endpoints[0]).toMatchObject({ port: 'http', path: '/metrics', scheme: 'https' });
    const test = render({ set: config((c) => (c.scimgateway.certificate = pem)) }, [
      '--show-only',
      'templates/tests/probes.yaml',
    ])[0];
    expect(test.spec.containers[0].env.find((e: Obj) => e.name === 'SCIMGW_URL').value).toBe('https://rel-scimgw:8880');
  });

  it('reaches the gateway through the Ingress and scrapes it with the ServiceMonitor', () => {
    const objects = render({ files: ['examples/ingress-tls.yaml'] });
    const service = objects.find((o) => o.kind === 'Service');
    const ingress = objects.find((o) => o.kind === 'Ingress');
    const backend = ingress.spec.rules[0].http.paths[0].backend.service;
    expect(backend).toEqual({ name: service.metadata.name, port: { name: 'http' } });
    expect(ingress.spec.tls[0].hosts).toEqual([ingress.spec.rules[0].host]);
    const sm = objects.find((o) => o.kind === 'ServiceMonitor');
    expect(service.metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
    expect(service.spec.ports.map((p: Obj) => p.name)).toContain(sm.spec.endpoints[0].port);
    expect(sm.spec.endpoints[0].basicAuth).toEqual({
      username: { name: 'scimgw-metrics', key: 'username' },
      password: { name: 'scimgw-metrics', key: 'password' },
    });
    // The read-only user the configuration adds for Prometheus: its password is one of the Secret's keys.
    expect(notedKeys(notes({ files: ['examples/ingress-tls.yaml'] })).sort()).toEqual([
      'gw_password',
      'metrics_password',
      'seed',
    ]);
  });

  it('gives file logging a scratch volume (the root file system is read-only)', () => {
    const objects = render({ set: config((c) => (c.scimgateway.log.loglevel.file = 'info')) });
    const pod = workloadOf(objects).spec.template.spec;
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'logs', mountPath: '/opt/scimgw/logs' });
    expect(pod.volumes).toContainEqual({ name: 'logs', emptyDir: {} });
    const abs = workloadOf(
      render({ set: config((c) => (c.scimgateway.log = { loglevel: { file: 'debug' }, logDirectory: '/var/log/scimgw' })) }),
    );
    expect(abs.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'logs', mountPath: '/var/log/scimgw' });
    expect(workloadOf(render()).spec.template.spec.volumes.map((v: Obj) => v.name)).not.toContain('logs');
  });

  it('tells the user what to create, where the gateway answers and how to test it', () => {
    const text = notes({ files: ['examples/postgres.yaml'] });
    expect(text).toContain('2 stateless pods');
    expect(text).toContain('kubectl -n idm create secret generic scimgw-secrets');
    expect(notedKeys(text).sort()).toEqual(['gw_password', 'pg_password', 'seed']);
    expect(text).toContain('http://rel-scimgw.idm.svc:8880');
    expect(text).toContain('helm test rel -n idm');
    // The chart made the Secret: nothing to create.
    expect(notes({ set: created })).not.toContain('create secret');
    expect(notes({ set: created })).toContain('the embedded store: one pod, its data on a 1Gi volume');
  });

  // Values that would give a pod that cannot work: refused before anything reaches the cluster, naming the value.
  const refused: [string, Values, RegExp][] = [
    ['a misspelt key', { set: { replicacount: 3 } }, /Additional property replicacount is not allowed/],
    [
      'a port that is not a number',
      { set: config((c) => (c.scimgateway.port = '8880x')) },
      /config\.scimgateway\.port: Invalid type/,
    ],
    ['no port', { set: config((c) => delete c.scimgateway.port) }, /config\.scimgateway.*port/],
    ['a configuration without its scimgateway part', { set: config((c) => delete c.scimgateway) }, /config.*scimgateway/],
    [
      'a gateway on localhost only',
      { set: config((c) => (c.scimgateway.localhostonly = true)) },
      /config\.scimgateway\.localhostonly/,
    ],
    ['a configuration file that names no connector', { set: { configFile: 'gateway.json' } }, /configFile/],
    [
      'a grace period the shutdown does not fit in',
      { set: { terminationGracePeriodSeconds: 20 } },
      /terminationGracePeriodSeconds 20 is too short: .* = 25/,
    ],
    [
      'a longer shutdownTimeout than the grace period covers',
      { set: config((c) => (c.scimgateway.kubernetes = { shutdownTimeout: 60 })) },
      /kubernetes\.shutdownTimeout \(60\)/,
    ],
    [
      'a made Secret without a key the configuration reads',
      { set: { 'secrets.create': true, 'secrets.values': { seed: 'x' } } },
      /secrets\.values\.gw_password is missing/,
    ],
    [
      'a made Secret without the SEED',
      { set: { 'secrets.create': true, 'secrets.values': { gw_password: 'x' } } },
      /secrets\.values\.seed is missing/,
    ],
    [
      'autoscaling the embedded store',
      { set: { 'autoscaling.enabled': true } },
      /autoscaling\.enabled: the embedded store has one writer/,
    ],
    [
      'several replicas of the embedded store without persistence (each would keep its own data)',
      { set: config((c) => ((c.endpoint as Obj).persistence = false)) },
      /replicaCount: the embedded store without persistence/,
    ],
    ['an Ingress without a host', { set: { 'ingress.enabled': true } }, /ingress\.hosts/],
    [
      'a ServiceMonitor without credentials',
      { set: { 'metrics.serviceMonitor.enabled': true } },
      /metrics\.serviceMonitor\.basicAuth\.secretName/,
    ],
    ['an unknown pull policy', { set: { 'image.pullPolicy': 'Sometimes' } }, /image\.pullPolicy/],
    ['a volume size Kubernetes cannot read', { set: { 'persistence.size': '1 GB' } }, /persistence\.size/],
  ];
  it('takes the configuration whole: nothing of the example leaks into a configuration of your own', () => {
    const cm = render({ files: ['examples/postgres.yaml'] }).find((o) => o.kind === 'ConfigMap');
    const mine = parse(readFileSync(join(chart, 'examples', 'postgres.yaml'), 'utf8')).config;
    expect(JSON.parse(cm.data['connector-postgres.json'])).toEqual(mine);
    // A bearer token instead of the example's Basic user: no gwadmin, and no gw_password to create.
    const token = {
      scimgateway: {
        port: 8880,
        localhostonly: false,
        log: { loglevel: { file: 'off' } },
        auth: { bearerToken: [{ token: 'process.text./run/secrets/token' }] },
      },
    };
    const text = render({ set: { config: token } }).find((o) => o.kind === 'ConfigMap').data['connector-loki.json'];
    expect(JSON.parse(text)).toEqual(token);
    expect(notedKeys(notes({ set: { config: token } })).sort()).toEqual(['seed', 'token']);
  });

  it.each(refused)('refuses %s, naming the value', (_what, values, message) => {
    const r = run(['template', 'rel', chart, ...flags(values)]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  it('knows the embedded store by config.connector too, not only by the file name', () => {
    const named = config((c) => (c.connector = '@scimgw/connector-loki'));
    const objects = render({ set: { ...named, configFile: 'connector-main.json' } });
    const workload = objects.find((o) => o.kind === 'StatefulSet');
    expect(workload?.spec.replicas).toBe(1);
    expect(workload?.spec.volumeClaimTemplates?.length ?? 0).toBeGreaterThan(0);
    expect(objects.some((o) => o.kind === 'PodDisruptionBudget' || o.kind === 'Deployment')).toBe(false);
    // Another connector named in a loki-named file is not the embedded store.
    const other = config((c) => (c.connector = '@acme/scimgw-connector-hr'));
    expect(render({ set: other }).some((o) => o.kind === 'Deployment')).toBe(true);
    // Without persistence, one replica is a Deployment of one pod.
    const memory = config((c) => ((c.endpoint as Obj).persistence = false));
    const one = render({ set: { ...memory, replicaCount: 1 } });
    expect(one.find((o) => o.kind === 'Deployment')?.spec.replicas).toBe(1);
  });

  it('refuses a cluster older than Kubernetes 1.25', () => {
    const r = run(['template', 'rel', chart, '--kube-version', '1.24.0']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/kubeVersion/);
  });

  it("checks objects against Kubernetes' schemas: a probe period written as text is caught", () => {
    const objects = render();
    workloadOf(objects).spec.template.spec.containers[0].startupProbe.periodSeconds = '2';
    expect(() => validateObjects(objects)).toThrow(/periodSeconds must be integer/);
  });
});

describe.skipIf(!helm)('the embedded store pod rendered by the chart, run as written (no cluster)', () => {
  it('serves as uid 1000 from a read-only configuration; `helm test` passes while it runs and fails after; stops in time', async () => {
    const s = source();
    const test = render(undefined, ['--show-only', 'templates/tests/probes.yaml'])[0];
    const [cmd, ...args] = test.spec.containers[0].command as string[];
    const probe = (base: string) =>
      spawnSync(cmd === 'node' ? process.execPath : (cmd as string), args, {
        encoding: 'utf8',
        env: { ...process.env, SCIMGW_URL: base },
        timeout: 20_000,
      });
    let base = '';
    await runPodAsWritten(s, work, async (b) => {
      base = b;
      const r = probe(base);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('/readyz 200');
    });
    // The gateway has stopped: the test pod's script fails.
    expect(probe(base).status).toBe(1);
  }, 60_000);
});
