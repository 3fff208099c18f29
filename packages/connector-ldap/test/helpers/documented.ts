/**
 * The configurations docs/connectors/ldap.md shows, read from the page as written, so a test of
 * "the documented configuration" fails when the page changes in a way that breaks it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LdapConfig, LdapSettingsConfig } from '../../src/index.js';

const page = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../../docs/connectors/ldap.md'), 'utf8');

/** The JSON code block of the page that holds an `endpoint` section and `marker` (fragments wrapped in braces). */
export function documentedEndpoint(marker: string): LdapConfig {
  const blocks = [...page.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  const block = blocks.find((b) => b.includes('"endpoint"') && b.includes(marker));
  if (!block) throw new Error(`no documented configuration with ${marker}`);
  const text = block.trim().startsWith('{') ? block : `{${block}}`;
  return (JSON.parse(text) as { endpoint: LdapConfig }).endpoint;
}

/** The documented endpoint with the test server's address and account swapped in. */
export function withServer(endpoint: LdapConfig, over: Partial<LdapSettingsConfig>): LdapConfig {
  const copy = structuredClone(endpoint);
  const ldap = copy.entity?.undefined?.ldap as LdapSettingsConfig;
  Object.assign(ldap, over);
  return copy;
}

/** The OpenLDAP example of the page ("Set up OpenLDAP"). */
export const DOCUMENTED_OPENLDAP = '"inetOrgPerson"';
/** The Active Directory example of the page ("Example: Entra ID → Active Directory"). */
export const DOCUMENTED_AD = '"isActiveDirectory": true';

/** The slapd `access to` lines of the page's code block that holds `marker` (one ACL a line). */
export function documentedAcl(marker: string): string[] {
  // Fences are paired by walking the lines: a closing fence is not the start of a block.
  const blocks: string[][] = [];
  let open: string[] | undefined;
  for (const line of page.split('\n')) {
    if (line.trimStart().startsWith('```')) {
      if (open) blocks.push(open);
      open = open ? undefined : [];
    } else open?.push(line);
  }
  const block = blocks.find((b) => b.some((l) => l.includes(marker)));
  if (!block) throw new Error(`no documented ACL with ${marker}`);
  return block.map((l) => l.trim()).filter((l) => l.startsWith('access to'));
}
