/**
 * The gateway's own account in the directory, as the pool binds with it. A bind the directory
 * refuses (a wrong password, a locked or expired account, a plain bind a domain controller
 * refuses) is the account's problem, not the request's: it becomes a {@link ServiceBindError}
 * (503 with `Retry-After`), is logged once per attempt with the settings to check, and stands for
 * `retryMs`, during which connects fail at once without asking the directory. Until the directory
 * has accepted the account (at start, and again after a refusal), one connect goes out at a time
 * and the others share its outcome. Together these keep a burst of requests from becoming a burst
 * of failed binds, which could lock the account out.
 */
import type { Logger } from '@scimgw/core';
import { describeCode, resultCodeOf, ServiceBindError } from './errors.js';
import type { LdapClient } from './pool.js';

/** Options of {@link ServiceAccount}. */
export interface ServiceAccountOptions {
  /** The bind DN (`username`); none binds anonymously. */
  dn: string | undefined;
  password: string | undefined;
  /** Where the connection is configured (`endpoint.entity.<tenant>.ldap`), for the log. */
  configPath: string;
  /** How long a refusal stands. */
  retryMs: number;
  log?: Logger | undefined;
}

/** Binds, and the state of the last one. */
export class ServiceAccount {
  /** The last refused bind, and until when it stands. */
  private refusal: { error: ServiceBindError; until: number } | undefined;
  /** Whether the directory accepted the last bind (connects may then go out in parallel). */
  private accepted = false;
  /** The connect the others wait for while the account is not known to be accepted. */
  private probe: Promise<LdapClient> | undefined;

  constructor(private readonly opts: ServiceAccountOptions) {}

  /** Whether connections bind at all. */
  get configured(): boolean {
    return this.opts.dn !== undefined;
  }

  /** Binds `client`; a refusal becomes a {@link ServiceBindError}. */
  async bind(client: LdapClient): Promise<void> {
    const dn = this.opts.dn as string;
    try {
      await client.bind(dn, this.opts.password ?? '');
    } catch (e) {
      const code = resultCodeOf(e);
      if (code === undefined) throw e;
      throw new ServiceBindError(code, dn, this.opts.configPath, { cause: e });
    }
  }

  /**
   * Runs `open` (a connect and its bind) unless a refusal stands; one at a time until the
   * directory is known to accept the account, the others then sharing its failure.
   */
  async connect(open: () => Promise<LdapClient>): Promise<LdapClient> {
    if (this.refusal && Date.now() < this.refusal.until) throw this.refusal.error;
    if (this.accepted) return open();
    if (this.probe) {
      await this.probe;
      return this.connect(open);
    }
    const probe = open();
    this.probe = probe;
    try {
      const c = await probe;
      this.accepted = true;
      return c;
    } finally {
      this.probe = undefined;
    }
  }

  /** A connection to `url` was opened and bound: a standing refusal ends. */
  acceptedOn(url: string): void {
    if (!this.refusal) return;
    this.refusal = undefined;
    this.opts.log?.info('ldap: the directory accepts the service account again', { url });
  }

  /** The directory at `url` refused the account: logged, and held for `retryMs`. */
  refusedOn(e: ServiceBindError, url: string): void {
    this.accepted = false;
    this.refusal = { error: e, until: Date.now() + this.opts.retryMs };
    this.opts.log?.error(e.message, {
      url,
      bindDn: e.bindDn,
      result: describeCode(e.resultCode),
      diagnostic: e.cause instanceof Error ? e.cause.message : undefined,
      retryInSeconds: this.opts.retryMs / 1000,
    });
  }
}
