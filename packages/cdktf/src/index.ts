// @keyward/cdktf: the CDKTF construct library over terraform-provider-keyward.
// The generated bindings (one namespace per resource, data source and the provider) and the
// hand-written constructs on top of them.
export * from "./gen";
export * from "./constructs/duration";
export * from "./constructs/keyward-api-key";
export * from "./constructs/keyward-project";
export * from "./constructs/keyward-project-policy";
export * from "./constructs/rotation";
