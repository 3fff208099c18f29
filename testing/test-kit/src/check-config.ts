/** `scimgw check-config` on a configuration object, through the real CLI, as a deployment runs it. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@scimgw/gateway';

/** Options of {@link checkConfig}. */
export interface CheckConfigOptions {
  /** Config file name without `.json`; picks the connector (`connector-ldap`). */
  name: string;
  /**
   * Where the CLI runs and resolves connector packages from besides its own dependencies: a
   * connector package's folder resolves the package itself (its built `dist`).
   */
  cwd: string;
}

/** What `scimgw check-config` answered. */
export interface CheckConfigResult {
  /** The exit code: 0 when the configuration would start. */
  code: number;
  /** Standard output (`<file>: OK (…)`). */
  out: string;
  /** Standard error: every problem, each as `<file>: <JSON path>: <message>`, and warnings. */
  err: string;
}

/**
 * Writes `config` to `config/<name>.json` in a temporary directory and runs
 * `scimgw check-config --config <file>` on it.
 *
 * @example
 * const r = await checkConfig({ scimgateway: { port: 0, auth }, endpoint: { ldap: { usrBase: 'x' } } },
 *   { name: 'connector-ldap', cwd: packageDir });
 * expect(r.err).toMatch(/endpoint\.ldap\.usrBase: unknown key \(did you mean "userBase"\?\)/);
 */
export async function checkConfig(config: unknown, options: CheckConfigOptions): Promise<CheckConfigResult> {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-check-config-'));
  try {
    mkdirSync(join(dir, 'config'));
    const file = join(dir, 'config', `${options.name}.json`);
    writeFileSync(file, JSON.stringify(config));
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['check-config', '--config', file], {
      out: (s) => out.push(s),
      err: (s) => err.push(s),
      cwd: options.cwd,
    });
    return { code: typeof code === 'number' ? code : 0, out: out.join('\n'), err: err.join('\n') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
