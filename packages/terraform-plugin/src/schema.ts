import type { CtyType } from "./ctyType";
import { ObjectNesting, StringKind, type SchemaAttributeMessage, type SchemaMessage } from "./tfplugin6";

/**
 * Schemas as providers declare them: attributes with a type (or nested attributes), a description
 * (which also feeds the generated docs) and their mode. Blocks are not offered: protocol 6 nested
 * attributes cover every need here and read better in HCL (`rotation = { … }`).
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
}

export interface BlockSchema {
  readonly description: string;
  readonly attributes: { readonly [name: string]: AttributeSchema };
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
  return objectType(block.attributes);
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
  };
  if (attribute.attributes) {
    const nested = Object.entries(attribute.attributes).map(([nestedName, nestedAttribute]) => attributeMessage(nestedName, nestedAttribute));
    return { ...common, nestedType: { attributes: nested, nesting: ObjectNesting.Single } };
  }
  return { ...common, type: Buffer.from(JSON.stringify(attributeType(attribute))) };
}

export function schemaMessage(block: BlockSchema): SchemaMessage {
  const attributes = Object.entries(block.attributes).map(([name, attribute]) => attributeMessage(name, attribute));
  return {
    version: block.version ?? 0,
    block: {
      version: block.version ?? 0,
      attributes,
      blockTypes: [],
      description: block.description,
      descriptionKind: StringKind.Markdown,
      deprecated: false,
    },
  };
}
