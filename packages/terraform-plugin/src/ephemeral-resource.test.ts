import { describe, expect, it } from "vitest";
import { cty } from "./cty-type";
import { decodeDynamicValue, encodeDynamicValue } from "./dynamic-value";
import { createLogger } from "./logger";
import type { EphemeralResourceDefinition, ProviderDefinition, ResourceDefinition } from "./provider-definition";
import { ProviderServer } from "./provider-server";
import { blockType } from "./schema";
import { Severity } from "./tfplugin6";
import { UNKNOWN, type ObjectValue } from "./value";

/** Ephemeral resources (tfplugin6.7), write-only attributes (tfplugin6.8) and list blocks. */
const closed: string[] = [];
const token: EphemeralResourceDefinition<string> = {
  typeName: "demo_token",
  schema: {
    description: "",
    attributes: { length: { type: cty.number, required: true, description: "" }, value: { type: cty.string, computed: true, sensitive: true, description: "" } },
  },
  validate: (config) => (typeof config.length === "number" && config.length > 8 ? [{ severity: "error", summary: "Too long", detail: "at most 8" }] : []),
  open: async ({ client }, config) => ({ result: { ...config, value: client.repeat(Number(config.length)) }, renewAt: new Date("2030-01-01T00:00:01.5Z"), private: Buffer.from("handle") }),
  close: async (_context, privateData) => {
    closed.push(Buffer.from(privateData ?? []).toString());
  },
};
const secretHolder: ResourceDefinition<string> = {
  typeName: "demo_holder",
  schema: {
    description: "",
    attributes: {
      id: { type: cty.string, computed: true, description: "" },
      secret_wo: { type: cty.string, optional: true, writeOnly: true, sensitive: true, description: "" },
    },
    blocks: { place: { nesting: "list", block: { description: "", attributes: { name: { type: cty.string, required: true, description: "" } } } } },
  },
  create: async (_context, { planned, config }) => ({ ...planned, id: `got-${String(config.secret_wo).length}` }),
  read: async (_context, state) => state,
  update: async (_context, { planned }) => planned,
  delete: async () => undefined,
};
const provider: ProviderDefinition<string> = {
  name: "demo",
  version: "1.0.0",
  schema: { description: "", attributes: {} },
  configure: async () => "x",
  resources: [secretHolder],
  dataSources: [],
  ephemeralResources: [token],
};
const log = createLogger({ module: "test", level: "error", write: () => undefined });
const tokenType = blockType(token.schema);
const holderType = blockType(secretHolder.schema);

async function configured(): Promise<ProviderServer<string>> {
  const server = new ProviderServer(provider, log, {});
  await server.configureProvider({ config: encodeDynamicValue({}, cty.object({})) });
  return server;
}

describe("ephemeral resources", () => {
  it("are listed in the schema and metadata", async () => {
    const server = await configured();
    expect(Object.keys(server.getProviderSchema().ephemeralResourceSchemas as object)).toEqual(["demo_token"]);
    expect(server.getMetadata().ephemeralResources).toEqual([{ typeName: "demo_token" }]);
  });

  it("open answers the result, when to renew and the private handle; close gets the handle back", async () => {
    const server = await configured();
    const opened = await server.openEphemeralResource({ typeName: "demo_token", config: encodeDynamicValue({ length: 3, value: null }, tokenType) });
    expect(decodeDynamicValue(opened.result as never, tokenType)).toEqual({ length: 3, value: "xxx" });
    expect(opened.renewAt).toEqual({ seconds: 1893456001, nanos: 500_000_000 });
    await server.closeEphemeralResource({ typeName: "demo_token", private: opened.private });
    expect(closed).toEqual(["handle"]);
  });

  it("validates the configuration before opening", async () => {
    const server = await configured();
    const opened = await server.openEphemeralResource({ typeName: "demo_token", config: encodeDynamicValue({ length: 9, value: null }, tokenType) });
    expect(opened.diagnostics).toEqual([expect.objectContaining({ severity: Severity.Error, summary: "Too long" })]);
    expect(opened.result).toBeUndefined();
  });
});

describe("write-only attributes", () => {
  const config = (secret: string | null): ObjectValue => ({ id: null, secret_wo: secret, place: [{ name: "a" }] });

  it("are declared write_only and planned as null, while the configuration reaches apply", async () => {
    const server = await configured();
    const attribute = (server.getProviderSchema().resourceSchemas as Record<string, { block: { attributes: { name: string; writeOnly: boolean }[]; blockTypes: { typeName: string }[] } }>).demo_holder!.block;
    expect(attribute.attributes.find((entry) => entry.name === "secret_wo")?.writeOnly).toBe(true);
    expect(attribute.blockTypes.map((block) => block.typeName)).toEqual(["place"]);
    const planned = await server.planResourceChange({
      typeName: "demo_holder",
      priorState: encodeDynamicValue(null, holderType),
      proposedNewState: encodeDynamicValue(config("s3cret"), holderType),
      config: encodeDynamicValue(config("s3cret"), holderType),
    });
    expect(decodeDynamicValue(planned.plannedState as never, holderType)).toEqual({ id: UNKNOWN, secret_wo: null, place: [{ name: "a" }] });
    const applied = await server.applyResourceChange({
      typeName: "demo_holder",
      priorState: encodeDynamicValue(null, holderType),
      plannedState: planned.plannedState,
      config: encodeDynamicValue(config("s3cret"), holderType),
    });
    expect(decodeDynamicValue(applied.newState as never, holderType)).toEqual({ id: "got-6", secret_wo: null, place: [{ name: "a" }] });
  });

  it("are refused when Terraform does not announce it handles them (it would store them in state)", async () => {
    const server = await configured();
    const older = await server.validateResourceConfig({ typeName: "demo_holder", config: encodeDynamicValue(config("s3cret"), holderType) });
    expect(older.diagnostics).toEqual([expect.objectContaining({ summary: "Invalid secret_wo", detail: expect.stringContaining("Terraform 1.11") })]);
    const current = await server.validateResourceConfig({
      typeName: "demo_holder",
      config: encodeDynamicValue(config("s3cret"), holderType),
      clientCapabilities: { writeOnlyAttributesAllowed: true },
    });
    expect(current.diagnostics).toEqual([]);
  });
});
