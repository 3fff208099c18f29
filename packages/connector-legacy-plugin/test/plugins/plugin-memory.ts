// A plugin written here in the older scimgateway plugin API's shape (not taken from it): users
// and groups kept in memory, the getObj filter forms that API handed over, paging by
// startIndex/count, group membership by `operation: 'delete'` markers, and errors thrown that
// API's way (`err.name += '#409'`, `err.name = 'invalidFilter'`).
import { ScimGateway } from 'scimgateway';

const scimgateway = new ScimGateway();
const config = scimgateway.getConfig();
scimgateway.authPassThroughAllowed = false;
scimgateway.pluginAndOrFilterEnabled = false;

type Rec = Record<string, any>;
const users: Rec[] = [];
const groups: Rec[] = [];
// What each method received, for the tests to look at.
export const calls: Rec[] = [];
(globalThis as any).__legacyMemoryCalls = calls;
if (config.seedUsers) for (const u of config.seedUsers) users.push(structuredClone(u));

function match(obj: Rec, getObj: Rec): boolean {
  const path = String(getObj.attribute).split('.');
  let vals: any[] = [obj];
  for (const p of path)
    vals = vals
      .flatMap((v) => (v == null ? [] : Array.isArray(v[p]) ? v[p] : [v[p]]))
      .flatMap((v) => (Array.isArray(v) ? v : [v]));
  // a multi-valued attribute asked for by .value
  vals = vals.filter((v) => v !== undefined);
  const want = getObj.value;
  const lc = (v: any) => (typeof v === 'string' ? v.toLowerCase() : v);
  switch (getObj.operator) {
    case 'eq':
      return vals.some((v) => lc(v) === lc(want));
    case 'ne':
      return !vals.some((v) => lc(v) === lc(want));
    case 'co':
      return vals.some((v) => String(lc(v)).includes(lc(want)));
    case 'sw':
      return vals.some((v) => String(lc(v)).startsWith(lc(want)));
    case 'pr':
      return vals.length > 0;
    default: {
      const err = new Error(`operator ${getObj.operator} is not supported`);
      err.name = 'invalidFilter';
      throw err;
    }
  }
}

function list(store: Rec[], getObj: Rec) {
  calls.push({ getObj: structuredClone(getObj) });
  const all = getObj.operator ? store.filter((o) => match(o, getObj)) : store;
  const startIndex = getObj.startIndex || 1;
  const count = getObj.count || 200;
  return {
    Resources: all.slice(startIndex - 1, startIndex - 1 + count).map((o) => structuredClone(o)),
    totalResults: all.length,
  };
}

scimgateway.getUsers = async (baseEntity: string, getObj: Rec, attributes: string[]) => {
  scimgateway.logDebug(baseEntity, `getUsers ${JSON.stringify(getObj)} attributes=${attributes}`);
  if (baseEntity !== 'undefined' && !config.entity?.[baseEntity]) throw new Error(`unsupported baseEntity=${baseEntity}`);
  return list(users, getObj);
};

scimgateway.createUser = async (baseEntity: string, userObj: Rec) => {
  calls.push({ createUser: structuredClone(userObj) });
  if (!userObj.userName) throw new Error('createUser error: missing userName');
  if (users.some((u) => u.userName.toLowerCase() === userObj.userName.toLowerCase())) {
    const err = new Error(`createUser error: Duplicate key userName=${userObj.userName}`);
    err.name += '#409';
    throw err;
  }
  if (userObj.password === 'secret-never-logged') delete userObj.password;
  // type-converted multi-valued attributes back to lists
  for (const key of Object.keys(userObj)) {
    if (scimgateway.isMultiValueTypes(key) && !Array.isArray(userObj[key])) {
      userObj[key] = Object.entries(userObj[key]).map(([type, el]: [string, any]) => ({
        ...el,
        type: type === 'undefined' ? undefined : type,
      }));
    }
  }
  userObj.id = userObj.userName;
  users.push(userObj);
  return null; // the gateway looks the id up by userName
};

scimgateway.deleteUser = async (baseEntity: string, id: string) => {
  const i = users.findIndex((u) => u.id === id);
  if (i < 0) {
    const err = new Error(`deleteUser error: user ${id} not found`);
    err.name += '#404';
    throw err;
  }
  users.splice(i, 1);
  for (const g of groups) g.members = (g.members || []).filter((m: Rec) => m.value !== id);
  return null;
};

scimgateway.modifyUser = async (baseEntity: string, id: string, attrObj: Rec) => {
  calls.push({ modifyUser: structuredClone(attrObj) });
  const u = users.find((x) => x.id === id);
  if (!u) throw new Error(`modifyUser error: user ${id} does not exist`);
  if (attrObj.title === 'boom') throw new Error('endpoint exploded: internal host db01.corp');
  scimgateway.patchObj(u, attrObj);
  return null;
};

// Roles and entitlements the target knows; the older API only read them (GET /Roles, /Entitlements).
const roles: Rec[] = [
  { id: 'r-admin', displayName: 'Administrator', value: 'admin', type: 'Permanent', enabled: true },
  { id: 'r-reader', displayName: 'Reader', value: 'reader', type: 'Eligible', enabled: true },
  { id: 'r-old', displayName: 'Retired role', value: 'old', enabled: false },
];
const entitlements: Rec[] = [{ id: 'e-e5', displayName: 'Office 365 E5', value: 'ENTERPRISEPREMIUM', type: 'License' }];

scimgateway.getRoles = async (baseEntity: string, getObj: Rec, attributes: string[]) => {
  calls.push({ getRoles: structuredClone(getObj) });
  return list(roles, getObj);
};

scimgateway.getEntitlements = async (baseEntity: string, getObj: Rec, attributes: string[]) => {
  calls.push({ getEntitlements: structuredClone(getObj) });
  return list(entitlements, getObj);
};

// API gateway mode, in the sixth version's signatures: a small product list.
const products: Rec[] = [
  { id: '1', model: 'Tesla', title: 'Model 3' },
  { id: '2', model: 'BMW', title: 'i4' },
];
const productNotFound = (id: string) => {
  const err = new Error(`product ${id} not found`);
  err.name += '#404';
  return err;
};

scimgateway.getApi = async (baseEntity: string, id: string | undefined, query: Rec, ctx?: Rec) => {
  calls.push({ getApi: { baseEntity, id, query, ctx } });
  if (id === undefined) return products.filter((p) => !query.model || p.model === query.model);
  const found = products.find((p) => p.id === id);
  if (!found) throw productNotFound(id);
  return found;
};

scimgateway.postApi = async (baseEntity: string, body: Rec) => {
  calls.push({ postApi: { baseEntity, body } });
  const created = { ...body, id: String(products.length + 1) };
  products.push(created);
  return created;
};

scimgateway.putApi = async (baseEntity: string, id: string, body: Rec) => {
  const i = products.findIndex((p) => p.id === id);
  if (i < 0) throw productNotFound(id);
  products[i] = { ...body, id };
  return products[i];
};

scimgateway.patchApi = async (baseEntity: string, id: string, body: Rec) => {
  const found = products.find((p) => p.id === id);
  if (!found) throw productNotFound(id);
  Object.assign(found, body);
  return found;
};

scimgateway.deleteApi = async (baseEntity: string, id: string) => {
  const i = products.findIndex((p) => p.id === id);
  if (i < 0) throw productNotFound(id);
  products.splice(i, 1);
  return null;
};

scimgateway.publicApi = async (baseEntity: string, method: string, id: string | undefined, query: Rec, body: unknown) => {
  calls.push({ publicApi: { baseEntity, method, id, query, body } });
  return products.filter((p) => !query?.model || p.model === query.model).map((p) => ({ model: p.model }));
};

scimgateway.getGroups = async (baseEntity: string, getObj: Rec, attributes: string[]) => {
  return list(groups, getObj);
};

scimgateway.createGroup = async (baseEntity: string, groupObj: Rec) => {
  if (groups.some((g) => g.displayName === groupObj.displayName)) {
    const err = new Error('createGroup error: Duplicate key');
    err.name += '#409';
    throw err;
  }
  groupObj.id = groupObj.displayName;
  groupObj.members = groupObj.members || [];
  groups.push(groupObj);
  return { id: groupObj.id };
};

scimgateway.deleteGroup = async (baseEntity: string, id: string) => {
  const i = groups.findIndex((g) => g.id === id);
  if (i >= 0) groups.splice(i, 1);
  return null;
};

scimgateway.modifyGroup = async (baseEntity: string, id: string, attrObj: Rec) => {
  calls.push({ modifyGroup: structuredClone(attrObj) });
  const g = groups.find((x) => x.id === id);
  if (!g) throw new Error(`modifyGroup error: group ${id} does not exist`);
  for (const m of attrObj.members || []) {
    if (m.operation === 'delete') {
      g.members = m.value ? g.members.filter((x: Rec) => x.value !== m.value) : [];
    } else if (!g.members.some((x: Rec) => x.value === m.value)) {
      if (!users.some((u) => u.id === m.value)) {
        const err = new Error(`modifyGroup error: user ${m.value} does not exist`);
        err.name = 'invalidValue#400';
        throw err;
      }
      g.members.push({ value: m.value, display: m.value });
    }
  }
  delete attrObj.members;
  Object.assign(g, attrObj);
  return null;
};
