/**
 * @scimgw/connector-soap — SCIM users and groups provisioned to SOAP services: SCIM operations
 * mapped onto any WSDL's operations and SCIM attributes onto message parts, by configuration.
 *
 * @packageDocumentation
 */
export { createConnector, createSoapConnector, SoapConfigError } from './connector.js';
export type { SoapConnectorOptions } from './connector.js';
export { configSchema, DIGEST_ALGORITHMS, SIGNATURE_ALGORITHMS } from './config.js';
export type {
  FaultRule,
  ListOperationConfig,
  OperationConfig,
  ResourceOperationsConfig,
  SearchOperationConfig,
  ServiceConfig,
  SoapConfig,
  SoapConfigInput,
  SoapConnectionConfig,
  SoapEntityConfig,
  WsSecurityConfig,
} from './config.js';
export { SOAP_ERROR_TABLE, SoapCallError, toScimError } from './errors.js';
export type { SoapFailureCategory } from './errors.js';
export { BUILT_IN_FAULT_RULES, classifyFault, faultOf } from './faults.js';
export type { FaultCategory, SoapFault } from './faults.js';
export { ALLOWED_PLACEHOLDERS, compileTemplate, TemplateError } from './template.js';
export type { CompiledTemplate, PlaceholderName, TemplateKind, TemplateValues } from './template.js';
export {
  firstNonXmlChar,
  MAX_DEPTH,
  prepareMessage,
  protectText,
  type RefuseXmlOptions,
  refuseXml,
  XmlRefusedError,
  XmlValueError,
} from './xml-guard.js';
export { REDACTED } from './secrets.js';
