import type { AttributeSchema, BlockSchema, CtyType, ProviderDefinition } from "@keyward/terraform-plugin";

/**
 * Registry-style documentation (the layout of the Terraform Registry and tfplugindocs): one page
 * per resource and data source, made from the schema descriptions and the example files under
 * `examples/terraform/`. Regenerate with `node packages/provider/scripts/generate-docs.mjs`; a test
 * fails when the committed pages differ.
 */
export interface DocsExamples {
  /** `provider/provider.tf`, `resources/<type>/resource.tf`, `resources/<type>/import.sh`, … */
  read(path: string): string | undefined;
}

export const GENERATED_HEADER =
  "<!-- Generated from the provider schema and examples/terraform by `node packages/provider/scripts/generate-docs.mjs`. Do not edit. -->";

function typeName(type: CtyType): string {
  if (type === "string") return "String";
  if (type === "number") return "Number";
  if (type === "bool") return "Boolean";
  if (type === "dynamic") return "Dynamic";
  const [kind, element] = type;
  if (kind === "object") return "Object";
  const collection = { list: "List", set: "Set", map: "Map" }[kind];
  return `${collection} of ${typeName(element)}`;
}

function describeType(attribute: AttributeSchema): string {
  const base = attribute.attributes ? "Attributes" : typeName(attribute.type ?? "dynamic");
  const sensitive = attribute.sensitive ? `${base}, Sensitive` : base;
  return attribute.writeOnly ? `${sensitive}, [Write-only](https://developer.hashicorp.com/terraform/language/resources/ephemeral#write-only-arguments)` : sensitive;
}

type Group = "Required" | "Optional" | "Read-Only";

function groupOf(attribute: AttributeSchema): Group {
  if (attribute.required) return "Required";
  if (attribute.optional) return "Optional";
  return "Read-Only";
}

function anchor(path: string): string {
  return `nestedatt--${path.replace(/\./g, "--")}`;
}

function attributeList(attributes: { readonly [name: string]: AttributeSchema }, path: string, nested: string[]): string {
  const sections: string[] = [];
  for (const group of ["Required", "Optional", "Read-Only"] as const) {
    const lines = Object.entries(attributes)
      .filter(([, attribute]) => groupOf(attribute) === group)
      .map(([name, attribute]) => {
        const nestedPath = path ? `${path}.${name}` : name;
        if (attribute.attributes) nested.push(nestedSchema(nestedPath, attribute.attributes));
        const link = attribute.attributes ? ` (see [below for nested schema](#${anchor(nestedPath)}))` : "";
        const replaces = attribute.requiresReplace ? " Changing it forces a new resource." : "";
        return `- \`${name}\` (${describeType(attribute)}) ${attribute.description}${replaces}${link}`;
      });
    if (lines.length > 0) sections.push(`### ${group}\n\n${lines.join("\n")}`);
  }
  return sections.join("\n\n");
}

function nestedSchema(path: string, attributes: { readonly [name: string]: AttributeSchema }): string {
  const deeper: string[] = [];
  const body = attributeList(attributes, path, deeper).replace(/^### /gm, "#### ");
  return [`<a id="${anchor(path)}"></a>\n### Nested Schema for \`${path}\`\n\n${body}`, ...deeper].join("\n\n");
}

function blockList(block: BlockSchema, nested: string[]): string {
  const lines = Object.entries(block.blocks ?? {}).map(([name, nestedBlock]) => {
    nested.push(nestedSchema(name, nestedBlock.block.attributes));
    const most = nestedBlock.maxItems ? `, at most ${nestedBlock.maxItems}` : "";
    return `- \`${name}\` (Block List${most}) ${nestedBlock.block.description} (see [below for nested schema](#${anchor(name)}))`;
  });
  return lines.length > 0 ? `### Blocks\n\n${lines.join("\n")}` : "";
}

function schemaSection(block: BlockSchema): string {
  const nested: string[] = [];
  const list = attributeList(block.attributes, "", nested);
  const blocks = blockList(block, nested);
  return ["## Schema", list, ...(blocks ? [blocks] : []), ...nested].join("\n\n");
}

function fenced(language: string, code: string): string {
  return `\`\`\`${language}\n${code.trimEnd()}\n\`\`\``;
}

function page(options: { title: string; kind: string; description: string; heading: string; sections: string[] }): string {
  const frontMatter = `---\npage_title: "${options.title} ${options.kind} - terraform-provider-keyward"\nsubcategory: ""\ndescription: |-\n  ${options.description}\n---`;
  return `${[frontMatter, GENERATED_HEADER, `# ${options.heading}`, options.description, ...options.sections].join("\n\n")}\n`;
}

function examplesSection(code: string | undefined): string[] {
  return code ? [`## Example Usage\n\n${fenced("terraform", code)}`] : [];
}

function importSection(script: string | undefined): string[] {
  return script ? [`## Import\n\nImport is supported using the following syntax:\n\n${fenced("shell", script)}`] : [];
}

const INSTALL_GUIDE = `## Installing without a registry

The provider is not published to a registry: it is built from this repository and installed into a
local plugin directory, from which \`terraform init\` installs it with no network.

1. Build it: \`npm ci && npm run build\` (makes \`packages/provider/dist/terraform-provider-keyward.js\`).
2. Install it: \`npx keyward provider install\` puts it into \`~/.terraform.d/plugins\`, Terraform's
   implied local mirror. With \`--dir DIR\`, add DIR to your CLI configuration instead:

   \`\`\`hcl
   provider_installation {
     filesystem_mirror {
       path    = "DIR"
       include = ["registry.terraform.io/keyward/*"]
     }
     direct {
       exclude = ["registry.terraform.io/keyward/*"]
     }
   }
   \`\`\`
3. Start a key service (\`npx keyward serve\`) and keep the root token it prints.
4. \`export TF_VAR_keyward_token=kwm_…\`, then \`terraform init && terraform apply\` in
   \`examples/terraform/\`.

Supported Terraform versions: 1.5 and later (plugin protocol 6, \`import\` blocks); tested with 1.11.
The provider needs Node.js 20 or later on the machine that runs Terraform.`;

/** Every page, by path under `packages/provider/docs/`. */
export function registryDocs(provider: ProviderDefinition<unknown>, examples: DocsExamples): Map<string, string> {
  const pages = new Map<string, string>();
  pages.set(
    "index.md",
    page({
      title: provider.name,
      kind: "Provider",
      description: provider.schema.description,
      heading: `${provider.name} Provider`,
      sections: [...examplesSection(examples.read("provider/provider.tf")), schemaSection(provider.schema), INSTALL_GUIDE],
    }),
  );
  for (const resource of provider.resources) {
    const shortName = resource.typeName.slice(provider.name.length + 1);
    pages.set(
      `resources/${shortName}.md`,
      page({
        title: resource.typeName,
        kind: "Resource",
        description: resource.schema.description,
        heading: `${resource.typeName} (Resource)`,
        sections: [
          ...examplesSection(examples.read(`resources/${resource.typeName}/resource.tf`)),
          schemaSection(resource.schema),
          ...importSection(examples.read(`resources/${resource.typeName}/import.sh`)),
        ],
      }),
    );
  }
  for (const dataSource of provider.dataSources) {
    const shortName = dataSource.typeName.slice(provider.name.length + 1);
    pages.set(
      `data-sources/${shortName}.md`,
      page({
        title: dataSource.typeName,
        kind: "Data Source",
        description: dataSource.schema.description,
        heading: `${dataSource.typeName} (Data Source)`,
        sections: [...examplesSection(examples.read(`data-sources/${dataSource.typeName}/data-source.tf`)), schemaSection(dataSource.schema)],
      }),
    );
  }
  for (const ephemeral of provider.ephemeralResources ?? []) {
    const shortName = ephemeral.typeName.slice(provider.name.length + 1);
    pages.set(
      `ephemeral-resources/${shortName}.md`,
      page({
        title: ephemeral.typeName,
        kind: "Ephemeral Resource",
        description: ephemeral.schema.description,
        heading: `${ephemeral.typeName} (Ephemeral Resource)`,
        sections: [...examplesSection(examples.read(`ephemeral-resources/${ephemeral.typeName}/ephemeral-resource.tf`)), schemaSection(ephemeral.schema)],
      }),
    );
  }
  return pages;
}
