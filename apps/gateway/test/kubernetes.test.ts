/**
 * The kustomizations (deploy/kubernetes), without a cluster (none runs on the project's machines):
 * each one's workload is held to what the image and the gateway need (k8s-manifests.ts, the checks
 * the Helm chart passes too), rendered with the real `kubectl kustomize`, and the embedded store's
 * pod is run as written.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { k8sTool, type Obj, repo, runPodAsWritten, type Source, workloadChecks, workloadOf } from './k8s-manifests.js';

const k8s = join(repo, 'deploy', 'kubernetes');
const work = mkdtempSync(join(tmpdir(), 'scimgw-k8s-'));
chmodSync(work, 0o755);
afterAll(() => rmSync(work, { recursive: true, force: true }));

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

/** The keys the kustomization's `kubectl create secret` line gives the secret. */
const secretKeys = (text: string) => [...text.matchAll(/--from-file=(\w+)=/g)].map((m) => m[1] as string);

/** A kustomization as the checks read it: its sources as written. */
function source(name: string): Source {
  const { kust, text, objects, dir } = kustomization(name);
  const file = kust.configMapGenerator[0].files[0] as string;
  return {
    objects,
    configFile: file.split('/').pop() as string,
    configText: readFileSync(join(dir, file), 'utf8'),
    configMapName: kust.configMapGenerator[0].name,
    secretKeys: secretKeys(text),
    image: kust.images[0].name,
  };
}

describe.each(['embedded-store', 'postgres'])('deploy/kubernetes/%s', (name) => {
  workloadChecks(() => source(name));

  it('renders with kubectl kustomize: the generated ConfigMap reaches the pod, the labels select the pods', () => {
    const kubectl = k8sTool('kubectl');
    if (!kubectl) return; // SCIMGW_NO_K8S_TOOLS=skip: the checks above read the sources
    const dir = join(k8s, name);
    const r = spawnSync(kubectl, ['kustomize', dir], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    const rendered = parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj);
    const s = source(name);
    const cm = rendered.find((o) => o.kind === 'ConfigMap');
    expect(JSON.parse(cm.data[s.configFile])).toEqual(JSON.parse(s.configText));
    const w = workloadOf(rendered);
    expect(w.spec.template.spec.volumes.find((v: Obj) => v.name === 'config').configMap.name).toBe(cm.metadata.name);
    expect(w.spec.selector.matchLabels).toEqual(w.spec.template.metadata.labels);
    expect(Object.keys(w.spec.selector.matchLabels).length).toBeGreaterThan(0);
    expect(rendered.find((o) => o.kind === 'Service').spec.selector).toEqual(w.spec.selector.matchLabels);
    // The image the kustomization names.
    expect(w.spec.template.spec.containers[0].image).toMatch(/^scimgw:/);
  });
});

describe('the embedded store pod, run as written (no cluster)', () => {
  it('serves from a read-only configuration, with fsGroup-readable secrets, as uid 1000; stops on SIGTERM in time', async () => {
    await runPodAsWritten(source('embedded-store'), work);
  }, 60_000);
});
