import { describe, expect, it } from "vitest";
import { cty } from "./cty-type";
import { Diagnostics } from "./diagnostic";
import { createLogger } from "./logger";
import { planResourceChange, settleAppliedState } from "./plan-resource-change";
import type { OperationContext, ResourceDefinition } from "./provider-definition";
import { UNKNOWN, type ObjectValue } from "./value";

const base: ResourceDefinition<null> = {
  typeName: "toy_thing",
  schema: {
    description: "",
    attributes: {
      id: { type: cty.string, computed: true, description: "" },
      name: { type: cty.string, required: true, requiresReplace: true, description: "" },
      size: { type: cty.number, optional: true, description: "" },
      label: { type: cty.string, optional: true, computed: true, description: "" },
      revision: { type: cty.number, computed: true, description: "" },
    },
  },
  create: async () => ({}),
  read: async () => null,
  update: async () => ({}),
  delete: async () => undefined,
};
const context: OperationContext<null> = {
  client: null,
  stopSignal: new AbortController().signal,
  log: createLogger({ module: "test", level: "error", write: () => undefined }),
};

describe("planResourceChange", () => {
  it("plans computed attributes left out of the configuration as unknown on create", async () => {
    const config = { id: null, name: "a", size: 1, label: null, revision: null };
    const change = await planResourceChange(base, context, { prior: null, proposed: config, config });
    expect(change.planned).toEqual({ id: UNKNOWN, name: "a", size: 1, label: UNKNOWN, revision: UNKNOWN });
    expect(change.requiresReplace).toEqual([]);
  });

  it("keeps configured values of optional+computed attributes", async () => {
    const config = { id: null, name: "a", size: null, label: "mine", revision: null };
    const change = await planResourceChange(base, context, { prior: null, proposed: config, config });
    expect(change.planned?.label).toBe("mine");
  });

  it("carries prior computed values on update and reports replacement paths", async () => {
    const prior: ObjectValue = { id: "x", name: "a", size: 1, label: "l", revision: 3 };
    const config = { id: null, name: "b", size: 2, label: null, revision: null };
    const proposed = { ...prior, name: "b", size: 2 };
    const change = await planResourceChange(base, context, { prior, proposed, config });
    expect(change.planned).toEqual({ id: "x", name: "b", size: 2, label: "l", revision: 3 });
    expect(change.requiresReplace).toEqual([["name"]]);
  });

  it("lets the resource mark computed attributes that an update changes", async () => {
    const resource: ResourceDefinition<null> = { ...base, plan: async (_context, { planned }) => ({ planned: { ...planned, revision: UNKNOWN } }) };
    const prior: ObjectValue = { id: "x", name: "a", size: 1, label: "l", revision: 3 };
    const change = await planResourceChange(resource, context, { prior, proposed: { ...prior, size: 5 }, config: { ...prior, id: null, label: null, revision: null, size: 5 } });
    expect(change.planned?.revision).toBe(UNKNOWN);
    expect(change.planned?.id).toBe("x");
  });

  it("refuses a resource plan that moves a configured attribute away from the configuration", async () => {
    const resource: ResourceDefinition<null> = { ...base, plan: async (_context, { planned }) => ({ planned: { ...planned, size: 99 } }) };
    const config = { id: null, name: "a", size: 1, label: null, revision: null };
    const change = await planResourceChange(resource, context, { prior: null, proposed: config, config });
    expect(change.diagnostics[0]?.summary).toBe("Invalid plan");
    expect(change.diagnostics[0]?.detail).toContain("size");
  });

  it("stops at validation errors without planning", async () => {
    const resource: ResourceDefinition<null> = { ...base, validate: () => [Diagnostics.invalidAttribute(["size"], "too big")] };
    const config = { id: null, name: "a", size: 1, label: null, revision: null };
    const change = await planResourceChange(resource, context, { prior: null, proposed: config, config });
    expect(change.planned).toBeNull();
    expect(change.diagnostics).toEqual([{ severity: "error", summary: "Invalid size", detail: "too big", attribute: ["size"] }]);
  });

  it("plans a destroy as null", async () => {
    const change = await planResourceChange(base, context, { prior: { id: "x" }, proposed: null, config: null });
    expect(change.planned).toBeNull();
  });
});

describe("settleAppliedState", () => {
  it("keeps every value the plan knew and takes the rest from the applied object", () => {
    expect(settleAppliedState({ id: UNKNOWN, tags: ["a", "b"] }, { id: "x", tags: ["b", "a"] })).toEqual({ id: "x", tags: ["a", "b"] });
  });
});
