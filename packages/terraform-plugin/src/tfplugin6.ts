import { message, type FieldDescriptor, type MessageDescriptor } from "./message-codec";

/**
 * Terraform plugin protocol 6 (tfplugin6.8, the version Terraform 1.11 speaks: ephemeral resources since 6.7, write-only attributes since 6.8), written from
 * the published protocol documentation (`docs/plugin-protocol/tfplugin6.8.proto` in
 * hashicorp/terraform). Field numbers are the wire contract; field names are ours, in camelCase.
 * Only messages of the calls this provider answers are described; unknown fields are skipped.
 */

export interface DynamicValue {
  msgpack: Uint8Array;
  json: Uint8Array;
}

export enum Severity {
  Invalid = 0,
  Error = 1,
  Warning = 2,
}

export interface AttributePathStep {
  attributeName?: string;
  elementKeyString?: string;
  elementKeyInt?: number;
}

export interface AttributePathMessage {
  steps: AttributePathStep[];
}

export interface DiagnosticMessage {
  severity: Severity;
  summary: string;
  detail: string;
  attribute?: AttributePathMessage;
}

export enum StringKind {
  Plain = 0,
  Markdown = 1,
}

export enum ObjectNesting {
  Invalid = 0,
  Single = 1,
  List = 2,
  Set = 3,
  Map = 4,
}

export interface SchemaAttributeMessage {
  name: string;
  /** cty type as JSON bytes; empty when `nestedType` is set. */
  type?: Uint8Array;
  nestedType?: { attributes: SchemaAttributeMessage[]; nesting: ObjectNesting };
  description: string;
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
  descriptionKind: StringKind;
  deprecated: boolean;
  writeOnly: boolean;
}

export enum BlockNesting {
  Invalid = 0,
  Single = 1,
  List = 2,
  Set = 3,
  Map = 4,
  Group = 5,
}

export interface SchemaBlockMessage {
  version: number;
  attributes: SchemaAttributeMessage[];
  blockTypes: { typeName: string; block: SchemaBlockMessage; nesting: BlockNesting; minItems: number; maxItems: number }[];
  description: string;
  descriptionKind: StringKind;
  deprecated: boolean;
}

export interface SchemaMessage {
  version: number;
  block: SchemaBlockMessage;
}

export interface ServerCapabilities {
  planDestroy: boolean;
  getProviderSchemaOptional: boolean;
  moveResourceState: boolean;
}

const f = (name: string, number: number, kind: FieldDescriptor["kind"], extra: Partial<FieldDescriptor> = {}): FieldDescriptor => ({
  name,
  number,
  kind,
  ...extra,
});
const repeated = { repeated: true } as const;

export const DynamicValueDescriptor = message("DynamicValue", () => [f("msgpack", 1, "bytes"), f("json", 2, "bytes")]);

export const AttributePathDescriptor: MessageDescriptor = message("AttributePath", () => [f("steps", 1, StepDescriptor, repeated)]);
const StepDescriptor = message("AttributePath.Step", () => [
  f("attributeName", 1, "string", { presence: true }),
  f("elementKeyString", 2, "string", { presence: true }),
  f("elementKeyInt", 3, "int64", { presence: true }),
]);

export const DiagnosticDescriptor = message("Diagnostic", () => [
  f("severity", 1, "enum"),
  f("summary", 2, "string"),
  f("detail", 3, "string"),
  f("attribute", 4, AttributePathDescriptor),
]);
const diagnostics = (number: number) => f("diagnostics", number, DiagnosticDescriptor, repeated);

const RawStateDescriptor = message("RawState", () => [f("json", 1, "bytes"), f("flatmap", 2, "string", { map: true })]);

const AttributeDescriptor: MessageDescriptor = message("Schema.Attribute", () => [
  f("name", 1, "string"),
  f("type", 2, "bytes"),
  f("nestedType", 10, ObjectDescriptor),
  f("description", 3, "string"),
  f("required", 4, "bool"),
  f("optional", 5, "bool"),
  f("computed", 6, "bool"),
  f("sensitive", 7, "bool"),
  f("descriptionKind", 8, "enum"),
  f("deprecated", 9, "bool"),
  f("writeOnly", 11, "bool"),
]);
const ObjectDescriptor: MessageDescriptor = message("Schema.Object", () => [f("attributes", 1, AttributeDescriptor, repeated), f("nesting", 3, "enum")]);
const BlockDescriptor: MessageDescriptor = message("Schema.Block", () => [
  f("version", 1, "int64"),
  f("attributes", 2, AttributeDescriptor, repeated),
  f("blockTypes", 3, NestedBlockDescriptor, repeated),
  f("description", 4, "string"),
  f("descriptionKind", 5, "enum"),
  f("deprecated", 6, "bool"),
]);
const NestedBlockDescriptor: MessageDescriptor = message("Schema.NestedBlock", () => [
  f("typeName", 1, "string"),
  f("block", 2, BlockDescriptor),
  f("nesting", 3, "enum"),
  f("minItems", 4, "int64"),
  f("maxItems", 5, "int64"),
]);
export const SchemaDescriptor = message("Schema", () => [f("version", 1, "int64"), f("block", 2, BlockDescriptor)]);

const ServerCapabilitiesDescriptor = message("ServerCapabilities", () => [
  f("planDestroy", 1, "bool"),
  f("getProviderSchemaOptional", 2, "bool"),
  f("moveResourceState", 3, "bool"),
]);
const ClientCapabilitiesDescriptor = message("ClientCapabilities", () => [
  f("deferralAllowed", 1, "bool"),
  f("writeOnlyAttributesAllowed", 2, "bool"),
]);
const FunctionDescriptor = message("Function", () => [f("summary", 4, "string")]);
const Empty = message("Empty", () => []);
const typeName = f("typeName", 1, "string");

const TypeNameMetadata = message("TypeNameMetadata", () => [typeName]);
/** google.protobuf.Timestamp. */
const TimestampDescriptor = message("google.protobuf.Timestamp", () => [f("seconds", 1, "int64"), f("nanos", 2, "int64")]);
const optionalPrivate = (number: number) => f("private", number, "bytes", { presence: true });

/** One unary call: its request and response messages. */
export interface CallDescriptor {
  readonly request: MessageDescriptor;
  readonly response: MessageDescriptor;
}

const call = (request: () => readonly FieldDescriptor[], response: () => readonly FieldDescriptor[], name: string): CallDescriptor => ({
  request: message(`${name}.Request`, request),
  response: message(`${name}.Response`, response),
});

/** The `tfplugin6.Provider` service. */
export const providerService = {
  GetMetadata: call(
    () => [],
    () => [
      f("serverCapabilities", 1, ServerCapabilitiesDescriptor),
      diagnostics(2),
      f("dataSources", 3, TypeNameMetadata, repeated),
      f("resources", 4, TypeNameMetadata, repeated),
      f("ephemeralResources", 6, TypeNameMetadata, repeated),
    ],
    "GetMetadata",
  ),
  GetProviderSchema: call(
    () => [],
    () => [
      f("provider", 1, SchemaDescriptor),
      f("resourceSchemas", 2, SchemaDescriptor, { map: true }),
      f("dataSourceSchemas", 3, SchemaDescriptor, { map: true }),
      f("functions", 7, FunctionDescriptor, { map: true }),
      f("ephemeralResourceSchemas", 8, SchemaDescriptor, { map: true }),
      diagnostics(4),
      f("providerMeta", 5, SchemaDescriptor),
      f("serverCapabilities", 6, ServerCapabilitiesDescriptor),
    ],
    "GetProviderSchema",
  ),
  ValidateProviderConfig: call(() => [f("config", 1, DynamicValueDescriptor)], () => [diagnostics(2)], "ValidateProviderConfig"),
  ValidateResourceConfig: call(
    () => [typeName, f("config", 2, DynamicValueDescriptor), f("clientCapabilities", 3, ClientCapabilitiesDescriptor)],
    () => [diagnostics(1)],
    "ValidateResourceConfig",
  ),
  ValidateDataResourceConfig: call(() => [typeName, f("config", 2, DynamicValueDescriptor)], () => [diagnostics(1)], "ValidateDataResourceConfig"),
  UpgradeResourceState: call(
    () => [typeName, f("version", 2, "int64"), f("rawState", 3, RawStateDescriptor)],
    () => [f("upgradedState", 1, DynamicValueDescriptor), diagnostics(2)],
    "UpgradeResourceState",
  ),
  ConfigureProvider: call(
    () => [f("terraformVersion", 1, "string"), f("config", 2, DynamicValueDescriptor), f("clientCapabilities", 3, ClientCapabilitiesDescriptor)],
    () => [diagnostics(1)],
    "ConfigureProvider",
  ),
  ReadResource: call(
    () => [typeName, f("currentState", 2, DynamicValueDescriptor), f("private", 3, "bytes"), f("providerMeta", 4, DynamicValueDescriptor)],
    () => [f("newState", 1, DynamicValueDescriptor), diagnostics(2), f("private", 3, "bytes")],
    "ReadResource",
  ),
  PlanResourceChange: call(
    () => [
      typeName,
      f("priorState", 2, DynamicValueDescriptor),
      f("proposedNewState", 3, DynamicValueDescriptor),
      f("config", 4, DynamicValueDescriptor),
      f("priorPrivate", 5, "bytes"),
      f("providerMeta", 6, DynamicValueDescriptor),
    ],
    () => [
      f("plannedState", 1, DynamicValueDescriptor),
      f("requiresReplace", 2, AttributePathDescriptor, repeated),
      f("plannedPrivate", 3, "bytes"),
      diagnostics(4),
    ],
    "PlanResourceChange",
  ),
  ApplyResourceChange: call(
    () => [
      typeName,
      f("priorState", 2, DynamicValueDescriptor),
      f("plannedState", 3, DynamicValueDescriptor),
      f("config", 4, DynamicValueDescriptor),
      f("plannedPrivate", 5, "bytes"),
      f("providerMeta", 6, DynamicValueDescriptor),
    ],
    () => [f("newState", 1, DynamicValueDescriptor), f("private", 2, "bytes"), diagnostics(3)],
    "ApplyResourceChange",
  ),
  ImportResourceState: call(
    () => [typeName, f("id", 2, "string")],
    () => [
      f(
        "importedResources",
        1,
        message("ImportedResource", () => [typeName, f("state", 2, DynamicValueDescriptor), f("private", 3, "bytes")]),
        repeated,
      ),
      diagnostics(2),
    ],
    "ImportResourceState",
  ),
  MoveResourceState: call(() => [], () => [f("targetState", 1, DynamicValueDescriptor), diagnostics(2)], "MoveResourceState"),
  ReadDataSource: call(
    () => [typeName, f("config", 2, DynamicValueDescriptor), f("providerMeta", 3, DynamicValueDescriptor)],
    () => [f("state", 1, DynamicValueDescriptor), diagnostics(2)],
    "ReadDataSource",
  ),
  ValidateEphemeralResourceConfig: call(() => [typeName, f("config", 2, DynamicValueDescriptor)], () => [diagnostics(1)], "ValidateEphemeralResourceConfig"),
  OpenEphemeralResource: call(
    () => [typeName, f("config", 2, DynamicValueDescriptor), f("clientCapabilities", 3, ClientCapabilitiesDescriptor)],
    () => [diagnostics(1), f("renewAt", 2, TimestampDescriptor), f("result", 3, DynamicValueDescriptor), optionalPrivate(4)],
    "OpenEphemeralResource",
  ),
  RenewEphemeralResource: call(
    () => [typeName, optionalPrivate(2)],
    () => [diagnostics(1), f("renewAt", 2, TimestampDescriptor), optionalPrivate(3)],
    "RenewEphemeralResource",
  ),
  CloseEphemeralResource: call(() => [typeName, optionalPrivate(2)], () => [diagnostics(1)], "CloseEphemeralResource"),
  GetFunctions: call(() => [], () => [f("functions", 1, FunctionDescriptor, { map: true }), diagnostics(2)], "GetFunctions"),
  StopProvider: call(() => [], () => [f("error", 1, "string")], "StopProvider"),
} satisfies Record<string, CallDescriptor>;

export type ProviderCallName = keyof typeof providerService;

/** go-plugin's `plugin.GRPCController`: Terraform asks the plugin to exit through it. */
export const controllerService = {
  Shutdown: { request: Empty, response: Empty },
} satisfies Record<string, CallDescriptor>;
