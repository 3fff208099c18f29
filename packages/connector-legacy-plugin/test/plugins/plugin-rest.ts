// A REST plugin in the older API's shape: HelperRest against endpoint.entity.<baseEntity>.connection,
// errors rethrown with the backend's answer inside the message (statusCode picked up by the gateway).
import { HelperRest, ScimGateway } from 'scimgateway';

const scimgateway = new ScimGateway();
const helper = new HelperRest(scimgateway);
const config = scimgateway.getConfig();
scimgateway.authPassThroughAllowed = true;

scimgateway.getUsers = async (
  baseEntity: string,
  getObj: Record<string, any>,
  attributes: string[],
  ctx?: Record<string, any>,
) => {
  const action = 'getUsers';
  const path = getObj.operator === 'eq' && getObj.attribute === 'id' ? `/people/${encodeURIComponent(getObj.value)}` : '/people';
  try {
    const res = await helper.doRequest(baseEntity, 'GET', path, null, ctx);
    const body = res.body;
    const list = Array.isArray(body) ? body : [body];
    return { Resources: list.map((p: any) => ({ id: p.pid, userName: p.login, name: { givenName: p.first } })) };
  } catch (err: any) {
    const code = JSON.parse(err.message).statusCode;
    if (code === 404) return { Resources: [] };
    throw new Error(`${action} error: ${err.message}`);
  }
};

scimgateway.createUser = async (baseEntity: string, userObj: Record<string, any>, ctx?: Record<string, any>) => {
  try {
    const res = await helper.doRequest(
      baseEntity,
      'POST',
      '/people',
      { login: userObj.userName, first: userObj.name?.givenName, apiKey: config.entity[baseEntity].apiKey },
      ctx,
    );
    return { id: res.body.pid };
  } catch (err: any) {
    throw new Error(`createUser error: ${err.message}`);
  }
};
