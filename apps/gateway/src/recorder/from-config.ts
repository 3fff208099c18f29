/** The recorder of one instance, from `scimgateway.recorder` or `scimgw start --record FILE`. */
import { resolve } from 'node:path';
import { createMasker, type GatewayLogger } from '@scimgw/logger-stream';
import { parseSize } from '@scimgw/server';
import type { PreparedConfig } from '../prepare.js';
import { Recorder } from './recorder.js';

/**
 * A recorder when `scimgateway.recorder.enabled` is true or `file` (from `--record`, relative to
 * the working directory) is given; otherwise none, and the request path pays nothing.
 */
export function recorderFor(cfg: PreparedConfig, log: GatewayLogger, file?: string): Recorder | undefined {
  const r = cfg.gateway.recorder;
  if (!r.enabled && file === undefined) return undefined;
  const path = file ?? resolve(cfg.configDir, r.file);
  const masker = createMasker({ customMasking: cfg.gateway.log.customMasking ?? [] });
  const recorder = new Recorder({
    file: path,
    pseudonymize: r.pseudonymize,
    maxBytes: parseSize(r.maxSize, 'scimgateway.recorder.maxSize'),
    tenants: r.tenants,
    isSecret: (name) => masker.isSensitiveName(name),
    onStop: (reason) => log.logger.warn(reason),
  });
  const which = r.tenants.length ? ` of tenant${r.tenants.length > 1 ? 's' : ''} ${r.tenants.join(', ')}` : '';
  log.logger.warn(
    `recording SCIM traffic${which} to ${path} (${r.pseudonymize ? 'personal values pseudonymized' : 'values as sent: personal data is in this file'}; secrets masked)`,
  );
  return recorder;
}
