import { describe, expect, it } from "vitest";
import { cty, type ProviderDefinition } from "@keyward/terraform-plugin";
import { registryDocs } from "./registry-docs";
import { committedDocs, expectedDocs } from "./registry-docs-files";

const REGENERATE = "node packages/provider/scripts/generate-docs.mjs";

describe("registry docs", () => {
  it("are committed exactly as generated from the schema and examples/terraform", () => {
    const expected = expectedDocs();
    const committed = committedDocs();
    expect([...committed.keys()].sort(), `pages differ; run ${REGENERATE}`).toEqual([...expected.keys()].sort());
    for (const [path, content] of expected) expect(committed.get(path), `docs/${path} is stale; run ${REGENERATE}`).toBe(content);
  });

  it("document every attribute under its group, nested attributes, sensitivity, replacement and import", () => {
    const provider: ProviderDefinition<unknown> = {
      name: "demo",
      version: "1.0.0",
      schema: { description: "Demo.", attributes: {} },
      configure: async () => undefined,
      dataSources: [],
      resources: [
        {
          typeName: "demo_thing",
          schema: {
            description: "A thing.",
            attributes: {
              name: { type: cty.string, required: true, requiresReplace: true, description: "Its name." },
              window: { optional: true, description: "A window.", attributes: { size: { type: cty.number, required: true, description: "Size." } } },
              tags: { type: cty.set(cty.string), optional: true, description: "Tags." },
              secret: { type: cty.string, computed: true, sensitive: true, description: "The secret." },
            },
          },
          create: async () => ({}),
          read: async () => null,
          update: async () => ({}),
          delete: async () => undefined,
        },
      ],
    };
    const pages = registryDocs(provider, { read: (path) => (path === "resources/demo_thing/import.sh" ? "terraform import demo_thing.x id" : undefined) });
    const thing = pages.get("resources/thing.md") ?? "";
    expect(thing).toContain("# demo_thing (Resource)");
    expect(thing).toMatch(/### Required\n\n- `name` \(String\) Its name\. Changing it forces a new resource\./);
    expect(thing).toContain("- `tags` (Set of String) Tags.");
    expect(thing).toContain("- `window` (Attributes) A window. (see [below for nested schema](#nestedatt--window))");
    expect(thing).toMatch(/### Nested Schema for `window`\n\n#### Required\n\n- `size` \(Number\) Size\./);
    expect(thing).toMatch(/### Read-Only\n\n- `secret` \(String, Sensitive\) The secret\./);
    expect(thing).toContain("```shell\nterraform import demo_thing.x id\n```");
  });
});
