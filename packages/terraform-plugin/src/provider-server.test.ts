import { describe, expect, it } from "vitest";
import { cty } from "./cty-type";
import { DiagnosticError, Diagnostics } from "./diagnostic";
import { decodeDynamicValue, encodeDynamicValue } from "./dynamic-value";
import { createLogger } from "./logger";
import type { ProviderDefinition, ResourceDefinition } from "./provider-definition";
import { ProviderServer } from "./provider-server";
import { Severity } from "./tfplugin6";
import { UNKNOWN, type ObjectValue } from "./value";

const type = cty.object({ id: cty.string, name: cty.string });
const thing: ResourceDefinition<string> = {
  typeName: "demo_thing",
  schema: {
    description: "",
    attributes: { id: { type: cty.string, computed: true, description: "" }, name: { type: cty.string, required: true, description: "" } },
  },
  create: async ({ client }, { planned }) => {
    if (planned.name === "explode") throw new Error("connection reset");
    if (planned.name === "lazy") return { ...planned };
    return { ...planned, id: `${client}-1` };
  },
  read: async (_context, state) => (state.name === "gone" ? null : state),
  update: async (_context, { planned }) => planned,
  delete: async () => undefined,
};
const provider: ProviderDefinition<string> = {
  name: "demo",
  version: "1.0.0",
  schema: { description: "", attributes: { region: { type: cty.string, optional: true, description: "" } } },
  configure: async (config) => {
    if (config.region === "nowhere") throw new DiagnosticError([Diagnostics.invalidAttribute(["region"], "No such region.")]);
    return "client";
  },
  resources: [thing],
  dataSources: [],
};
const log = createLogger({ module: "test", level: "error", write: () => undefined });
const dynamic = (value: ObjectValue | null, valueType = type) => encodeDynamicValue(value, valueType);

async function configured(): Promise<ProviderServer<string>> {
  const server = new ProviderServer(provider, log, {});
  await server.configureProvider({ config: dynamic({ region: null }, cty.object({ region: cty.string })) });
  return server;
}

describe("ProviderServer", () => {
  it("answers calls for an unknown type with a diagnostic naming it", async () => {
    const response = await (await configured()).readResource({ typeName: "demo_other", currentState: dynamic({ id: "x", name: "y" }) });
    expect(response.diagnostics).toEqual([expect.objectContaining({ severity: Severity.Error, summary: "Unknown resource type", detail: expect.stringContaining('"demo_other"') })]);
  });

  it("turns configure's refusal into diagnostics with the attribute path", async () => {
    const server = new ProviderServer(provider, log, {});
    const response = await server.configureProvider({ config: dynamic({ region: "nowhere" }, cty.object({ region: cty.string })) });
    expect(response.diagnostics).toEqual([expect.objectContaining({ summary: "Invalid region", attribute: { steps: [{ attributeName: "region" }] } })]);
  });

  it("refuses to work before it is configured", async () => {
    const server = new ProviderServer(provider, log, {});
    const response = await server.applyResourceChange({ typeName: "demo_thing", priorState: dynamic(null), plannedState: dynamic({ id: UNKNOWN as never, name: "a" }), config: dynamic({ id: null as never, name: "a" }) });
    expect(response.diagnostics).toEqual([expect.objectContaining({ summary: "Provider not configured" })]);
  });

  it("creates, answering the applied state; a thrown error becomes a diagnostic, not a crash", async () => {
    const server = await configured();
    const created = await server.applyResourceChange({ typeName: "demo_thing", priorState: dynamic(null), plannedState: dynamic({ id: UNKNOWN as never, name: "a" }), config: dynamic({ id: null as never, name: "a" }) });
    expect(decodeDynamicValue(created.newState as never, type)).toEqual({ id: "client-1", name: "a" });
    const failed = await server.applyResourceChange({ typeName: "demo_thing", priorState: dynamic(null), plannedState: dynamic({ id: UNKNOWN as never, name: "explode" }), config: dynamic({ id: null as never, name: "explode" }) });
    expect(failed.diagnostics).toEqual([expect.objectContaining({ summary: "Could not apply the change", detail: "connection reset" })]);
  });

  it("reports a resource that leaves planned unknowns unresolved as a provider bug", async () => {
    const server = await configured();
    const response = await server.applyResourceChange({ typeName: "demo_thing", priorState: dynamic(null), plannedState: dynamic({ id: UNKNOWN as never, name: "lazy" }), config: dynamic({ id: null as never, name: "lazy" }) });
    expect(response.diagnostics).toEqual([expect.objectContaining({ summary: "Incomplete result", detail: expect.stringContaining("bug in the provider") })]);
  });

  it("answers a null new state when the object is gone, so Terraform plans to create it", async () => {
    const response = await (await configured()).readResource({ typeName: "demo_thing", currentState: dynamic({ id: "x", name: "gone" }) });
    expect(decodeDynamicValue(response.newState as never, type)).toBeNull();
  });

  it("lets later processes skip GetProviderSchema", async () => {
    const schema = (await configured()).getProviderSchema();
    expect(schema.serverCapabilities).toEqual({ getProviderSchemaOptional: true });
    expect(Object.keys(schema.resourceSchemas as object)).toEqual(["demo_thing"]);
  });
});
