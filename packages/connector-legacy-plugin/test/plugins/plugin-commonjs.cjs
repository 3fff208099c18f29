// A CommonJS plugin in the oldest layout: require() of the gateway, the class as the module itself.
'use strict';
const ScimGateway = require('scimgateway');
const scimgateway = new ScimGateway();
const config = scimgateway.getConfig();
const users = [{ id: 'bjensen', userName: 'bjensen', active: true }];

scimgateway.getUsers = async (baseEntity, getObj) => {
  if (getObj.operator === 'eq') return { Resources: users.filter((u) => u[getObj.attribute] === getObj.value) };
  if (getObj.operator) {
    const err = new Error('only eq');
    err.name = 'invalidFilter';
    throw err;
  }
  return users;
};
scimgateway.createUser = async (baseEntity, userObj) => {
  const user = Object.assign({ id: `${config.idPrefix}${userObj.userName}` }, userObj);
  users.push(user);
  return { id: user.id };
};
// API gateway mode before the sixth version: the request body came as a fourth argument.
scimgateway.getApi = async (baseEntity, id, apiQuery, apiObj, ctx) => ({ baseEntity, id, apiQuery, apiObj, ctx });
