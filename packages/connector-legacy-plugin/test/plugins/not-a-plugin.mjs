import { ScimGateway } from 'scimgateway';
new ScimGateway();
export const nothing = 1;
