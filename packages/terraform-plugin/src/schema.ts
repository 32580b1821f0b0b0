import type { CtyType } from "./cty-type";
import { BlockNesting, ObjectNesting, StringKind, type SchemaAttributeMessage, type SchemaBlockMessage, type SchemaMessage } from "./tfplugin6";

/**
 * Schemas as providers declare them: attributes with a type (or nested attributes), a description
 * (which also feeds the generated docs) and their mode. Nested attributes (`rotation = { … }`) read
 * best for single settings; repeatable blocks (`destination { … }`, list nesting) are offered for
 * lists of settings, where HCL users expect a block per item.
 */
export interface AttributeSchema {
  readonly description: string;
  /** A cty type; omit when `attributes` declares a single nested object. */
  readonly type?: CtyType;
  /** A single nested object (`nesting = SINGLE`) with its own attributes. */
  readonly attributes?: { readonly [name: string]: AttributeSchema };
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly sensitive?: boolean;
  /** A change to this attribute destroys and re-creates the object. */
  readonly requiresReplace?: boolean;
  /**
   * Write-only (Terraform 1.11+): the value reaches the provider only in the configuration of
   * ValidateResourceConfig, PlanResourceChange and ApplyResourceChange; plan and state hold null.
   */
  readonly writeOnly?: boolean;
}

/** A repeatable nested block (`destination { … }`); its value is a list of objects, empty when absent. */
export interface NestedBlockSchema {
  readonly nesting: "list";
  readonly block: BlockSchema;
  readonly maxItems?: number;
}

export interface BlockSchema {
  readonly description: string;
  readonly attributes: { readonly [name: string]: AttributeSchema };
  readonly blocks?: { readonly [name: string]: NestedBlockSchema };
  /** State schema version, for UpgradeResourceState. */
  readonly version?: number;
}

export function attributeType(attribute: AttributeSchema): CtyType {
  if (attribute.attributes) return objectType(attribute.attributes);
  if (!attribute.type) throw new Error("an attribute needs a type or nested attributes");
  return attribute.type;
}

export function objectType(attributes: { readonly [name: string]: AttributeSchema }): CtyType {
  const types: Record<string, CtyType> = {};
  for (const [name, attribute] of Object.entries(attributes)) types[name] = attributeType(attribute);
  return ["object", types];
}

export function blockType(block: BlockSchema): CtyType {
  const [, attributes] = objectType(block.attributes) as readonly ["object", Record<string, CtyType>];
  const types: Record<string, CtyType> = { ...attributes };
  for (const [name, nested] of Object.entries(block.blocks ?? {})) types[name] = ["list", blockType(nested.block)];
  return ["object", types];
}

function attributeMessage(name: string, attribute: AttributeSchema): SchemaAttributeMessage {
  const common = {
    name,
    description: attribute.description,
    descriptionKind: StringKind.Markdown,
    required: attribute.required ?? false,
    optional: attribute.optional ?? false,
    computed: attribute.computed ?? false,
    sensitive: attribute.sensitive ?? false,
    deprecated: false,
    writeOnly: attribute.writeOnly ?? false,
  };
  if (attribute.attributes) {
    const nested = Object.entries(attribute.attributes).map(([nestedName, nestedAttribute]) => attributeMessage(nestedName, nestedAttribute));
    return { ...common, nestedType: { attributes: nested, nesting: ObjectNesting.Single } };
  }
  return { ...common, type: Buffer.from(JSON.stringify(attributeType(attribute))) };
}

function blockMessage(block: BlockSchema): SchemaBlockMessage {
  return {
    version: block.version ?? 0,
    attributes: Object.entries(block.attributes).map(([name, attribute]) => attributeMessage(name, attribute)),
    blockTypes: Object.entries(block.blocks ?? {}).map(([typeName, nested]) => ({
      typeName,
      block: blockMessage(nested.block),
      nesting: BlockNesting.List,
      minItems: 0,
      maxItems: nested.maxItems ?? 0,
    })),
    description: block.description,
    descriptionKind: StringKind.Markdown,
    deprecated: false,
  };
}

export function schemaMessage(block: BlockSchema): SchemaMessage {
  return { version: block.version ?? 0, block: blockMessage(block) };
}
