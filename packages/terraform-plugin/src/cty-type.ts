/**
 * Terraform's type system (cty) in its JSON form, as the protocol carries it in schema `type` bytes:
 * `"string"`, `["list", "string"]`, `["object", {"a": "number"}]`.
 */
export type CtyType =
  | "string"
  | "number"
  | "bool"
  | "dynamic"
  | readonly ["list", CtyType]
  | readonly ["set", CtyType]
  | readonly ["map", CtyType]
  | readonly ["object", { readonly [attribute: string]: CtyType }];

export const cty = {
  string: "string",
  number: "number",
  bool: "bool",
  list: (element: CtyType) => ["list", element] as const,
  set: (element: CtyType) => ["set", element] as const,
  map: (element: CtyType) => ["map", element] as const,
  object: (attributes: { readonly [attribute: string]: CtyType }) => ["object", attributes] as const,
} as const;
