// @keyward/terraform-plugin: a Terraform plugin (protocol 6) framework in TypeScript. A provider is
// a ProviderDefinition (schemas plus create/read/update/delete/import per resource, read per data
// source); servePlugin runs it as the plugin process Terraform launches. Nothing here knows what
// the provider manages.
export { providerSchemaAnswer, servePlugin, type PluginProcess, type ServeOptions } from "./plugin-server";
export { ProviderServer } from "./provider-server";
export type {
  DataSourceDefinition,
  EphemeralResourceDefinition,
  EphemeralResult,
  OperationContext,
  PlanAdjustment,
  PlanRequest,
  ProviderDefinition,
  ResourceDefinition,
} from "./provider-definition";
export { attributeType, blockType, objectType, type AttributeSchema, type BlockSchema, type NestedBlockSchema } from "./schema";
export { cty, type CtyType } from "./cty-type";
export { isObjectValue, isUnknown, isWhollyKnown, Unknown, UNKNOWN, valuesEqual, type ObjectValue, type Value } from "./value";
export { decodeDynamicValue, encodeDynamicValue } from "./dynamic-value";
export { Diagnostics, DiagnosticError, hasErrors, type Diagnostic } from "./diagnostic";
export { formatAttributePath, type AttributePath } from "./attribute-path";
export { createLogger, logLevelFrom, type LogFields, type Logger, type LogLevel } from "./logger";
export { Severity, type DynamicValue } from "./tfplugin6";
export { APP_PROTOCOL_VERSION, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from "./handshake";
