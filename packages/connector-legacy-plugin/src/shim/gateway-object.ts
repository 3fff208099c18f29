/**
 * The gateway object a plugin written for the older API receives from `new ScimGateway()`: the
 * plugin assigns its methods onto it (`scimgateway.getUsers = async (…) => …`) and calls its
 * helpers (configuration, logging, secrets, object helpers, mail). Here it is one object per
 * loaded plugin, never shared, and it only collects what the plugin defines: the connector
 * (connector.ts) serves those methods through the Connector contract.
 */
import type { Logger } from '@scimgw/core';
import type { Mailer } from '@scimgw/core/host';
import { copyObj, extendObj, getArrayObject, getNextStartIndex, LegacyLock, patchObj } from './object-helpers.js';

type Obj = Record<string, unknown>;
/** A plugin method: the older API's argument shapes, any result. */
export type LegacyMethod = (...args: never[]) => unknown;

/** What the gateway object is built from. */
export interface GatewayObjectInit {
  /** The plugin's own endpoint section (what `getConfig()` returns). */
  endpoint: Obj;
  pluginName: string;
  pluginDir: string;
  configDir: string;
  configFile: string;
  log: Logger;
  /** Core attributes that are multi-valued and typed (emails, phoneNumbers …). */
  multiValueTypes: readonly string[];
}

/** Methods a plugin may define, in the older API's names. */
export const PLUGIN_METHODS = [
  'getUsers',
  'createUser',
  'deleteUser',
  'modifyUser',
  'getGroups',
  'createGroup',
  'deleteGroup',
  'modifyGroup',
  'getRoles',
  'getEntitlements',
  'getApi',
  'postApi',
  'putApi',
  'patchApi',
  'deleteApi',
  'publicApi',
] as const;
/** One of {@link PLUGIN_METHODS}. */
export type PluginMethodName = (typeof PLUGIN_METHODS)[number];

/** The older API's `endpointMapper` is not part of this gateway object: it says what to use instead. */
function endpointMapperUnsupported(): never {
  throw new Error(
    'scimgateway.endpointMapper is not supported by @scimgw/connector-legacy-plugin: map attributes with @scimgw/mapper, or move the mapping into @scimgw/connector-generic configuration',
  );
}

/**
 * The object behind `new ScimGateway()` for one plugin. Plugin methods land on it as plain
 * properties (that is how the older API worked); {@link LegacyGatewayObject.method} reads them.
 */
export class LegacyGatewayObject {
  [key: string]: unknown;
  readonly gwName = 'scimgw';
  readonly pluginName: string;
  readonly pluginDir: string;
  readonly configDir: string;
  readonly configFile: string;
  readonly gwDir: string;
  /** Set by the plugin: true when it uses the inbound Authorization header (pass-through). */
  authPassThroughAllowed = false;
  /** Set by some plugins; the core evaluates and/or itself, so it changes nothing. */
  pluginAndOrFilterEnabled = false;
  readonly Lock = LegacyLock;
  readonly endpointMapper = endpointMapperUnsupported;
  readonly #endpoint: Obj;
  readonly #log: Logger;
  readonly #multiValueTypes: readonly string[];
  #mailer: Mailer | undefined;

  constructor(init: GatewayObjectInit) {
    this.#endpoint = init.endpoint;
    this.#log = init.log;
    this.#multiValueTypes = init.multiValueTypes;
    this.pluginName = init.pluginName;
    this.pluginDir = init.pluginDir;
    this.configDir = init.configDir;
    this.configFile = init.configFile;
    this.gwDir = init.pluginDir;
  }

  /** The plugin's method `name`, when it defined one. */
  method(name: PluginMethodName): LegacyMethod | undefined {
    const m = this[name];
    return typeof m === 'function' ? (m as LegacyMethod) : undefined;
  }

  /** Gives the plugin the host's mailer for `sendMail`. */
  attachMailer(mailer: Mailer | undefined): void {
    this.#mailer = mailer;
  }

  /** The endpoint section, secrets already decrypted by the host; the same object on every call (plugins keep state in it). */
  getConfig(): Obj {
    return this.#endpoint;
  }

  /**
   * A secret from the configuration by its dotted path (`endpoint.entity.undefined.password`).
   * The host decrypted every secret before the plugin loaded, so this is a lookup: only
   * `endpoint.…` paths are visible to a plugin.
   */
  getSecret(dotPath: string): unknown {
    const parts = String(dotPath).split('.');
    if (parts[0] !== 'endpoint') {
      this.#log.warn(
        `plugin ${this.pluginName}: getSecret("${dotPath}") reads outside the endpoint section, which plugins do not see`,
      );
      return undefined;
    }
    let node: unknown = this.#endpoint;
    for (const p of parts.slice(1)) {
      if (node === null || typeof node !== 'object' || !Object.hasOwn(node, p)) return undefined;
      node = (node as Obj)[p];
    }
    return node;
  }

  logDebug(baseEntity: string | undefined, msg: string): void {
    this.#log.debug(String(msg), { baseEntity, plugin: this.pluginName });
  }
  logInfo(baseEntity: string | undefined, msg: string): void {
    this.#log.info(String(msg), { baseEntity, plugin: this.pluginName });
  }
  logWarn(baseEntity: string | undefined, msg: string): void {
    this.#log.warn(String(msg), { baseEntity, plugin: this.pluginName });
  }
  logError(baseEntity: string | undefined, msg: string): void {
    this.#log.error(String(msg), { baseEntity, plugin: this.pluginName });
  }

  /** True for multi-valued attributes with a `type` (the ones handed over type-converted). */
  isMultiValueTypes(attr: string): boolean {
    return this.#multiValueTypes.includes(attr);
  }
  getArrayObject(obj: Obj, element: string, type: string): unknown {
    return getArrayObject(obj, element, type);
  }
  patchObj(target: Obj, attrObj: Obj): Obj {
    return patchObj(target, attrObj, (a) => this.isMultiValueTypes(a));
  }
  getNextStartIndex(totalResults: number, startIndex: number, itemsPerPage: number): number {
    return getNextStartIndex(totalResults, startIndex, itemsPerPage);
  }
  copyObj<T>(obj: T): T {
    return copyObj(obj);
  }
  extendObj(obj: Obj, src: Obj): Obj {
    return extendObj(obj, src);
  }
  /** The older API's sample users (plugin-loki seeded its in-memory mode with them): none here. */
  getTestModeUsers(): Obj[] {
    return [];
  }
  getTestModeGroups(): Obj[] {
    return [];
  }

  /** Sends mail through the gateway's `email` section (`{ to, cc, subject, content }` as the older API took it). */
  async sendMail(msg: Obj, isHtml = false): Promise<void> {
    if (!this.#mailer) throw new Error('sendMail: the gateway has no email section configured');
    const content = typeof msg.content === 'string' ? msg.content : '';
    await this.#mailer.sendMail({
      ...(msg.to !== undefined ? { to: msg.to as string | string[] } : {}),
      ...(msg.cc !== undefined ? { cc: msg.cc as string | string[] } : {}),
      subject: typeof msg.subject === 'string' ? msg.subject : `${this.pluginName} notification`,
      ...(isHtml ? { html: content } : { text: content }),
    });
  }
}
