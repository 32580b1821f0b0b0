/**
 * A provider that knows nothing of keys, used only by the protocol tests to prove the framework
 * against the real `terraform` CLI: notes stored as JSON files in a directory.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cty, type DataSourceDefinition, type Diagnostic, DiagnosticError, Diagnostics, isUnknown, type ObjectValue, type ProviderDefinition, type ResourceDefinition, UNKNOWN, valuesEqual } from "../src/index";

interface ToyClient {
  readonly directory: string;
}

interface StoredNote {
  name: string;
  content: string;
  tags: string[] | null;
  options: { color: string; weight: number | null } | null;
  created_at: string;
}

const notePath = (client: ToyClient, name: string) => join(client.directory, `${name}.json`);

async function loadNote(client: ToyClient, name: string): Promise<StoredNote | null> {
  try {
    return JSON.parse(await readFile(notePath(client, name), "utf8")) as StoredNote;
  } catch {
    return null;
  }
}

function noteState(note: StoredNote): ObjectValue {
  return {
    id: note.name,
    name: note.name,
    content: note.content,
    tags: note.tags,
    options: note.options,
    length: note.content.length,
    created_at: note.created_at,
  };
}

async function saveNote(client: ToyClient, value: ObjectValue, createdAt: string): Promise<ObjectValue> {
  if (value.content === "fail-on-apply") {
    throw new DiagnosticError([Diagnostics.requestFailed("save the note", "the note store refused the content 'fail-on-apply'")]);
  }
  const note: StoredNote = {
    name: value.name as string,
    content: value.content as string,
    tags: (value.tags as string[] | null) ?? null,
    options: (value.options as StoredNote["options"]) ?? null,
    created_at: createdAt,
  };
  await mkdir(client.directory, { recursive: true });
  await writeFile(notePath(client, note.name), JSON.stringify(note));
  return noteState(note);
}

const note: ResourceDefinition<ToyClient> = {
  typeName: "toy_note",
  schema: {
    description: "A note kept as a file.",
    attributes: {
      id: { type: cty.string, computed: true, description: "Same as the name." },
      name: { type: cty.string, required: true, requiresReplace: true, description: "File name of the note." },
      content: { type: cty.string, required: true, description: "Text of the note." },
      tags: { type: cty.set(cty.string), optional: true, description: "Labels." },
      options: {
        optional: true,
        description: "Display options.",
        attributes: {
          color: { type: cty.string, required: true, description: "A colour name." },
          weight: { type: cty.number, optional: true, description: "Any number." },
        },
      },
      length: { type: cty.number, computed: true, description: "Characters in content." },
      created_at: { type: cty.string, computed: true, description: "When the note was first written." },
    },
  },
  validate(config) {
    const diagnostics: Diagnostic[] = [];
    if (config.content === "forbidden") {
      diagnostics.push(Diagnostics.invalidAttribute(["content"], "The value 'forbidden' is not allowed. Expected any other text."));
    }
    const options = config.options as ObjectValue | null;
    if (options && typeof options.weight === "number" && options.weight < 0) {
      diagnostics.push(Diagnostics.invalidAttribute(["options", "weight"], `The value ${options.weight} is negative. Expected 0 or more.`));
    }
    return diagnostics;
  },
  async plan(_context, { prior, planned }) {
    if (!prior) return;
    if (isUnknown(planned.content) || !valuesEqual(prior.content ?? null, planned.content ?? null)) {
      return { planned: { ...planned, length: UNKNOWN } };
    }
  },
  async create({ client }, { planned }) {
    return saveNote(client, planned, new Date().toISOString());
  },
  async read({ client }, state) {
    const stored = await loadNote(client, state.id as string);
    return stored ? noteState(stored) : null;
  },
  async update({ client }, { prior, planned }) {
    return saveNote(client, planned, prior.created_at as string);
  },
  async delete({ client }, prior) {
    await rm(notePath(client, prior.id as string), { force: true });
  },
  async importState(_context, id) {
    return { id };
  },
};

const notes: DataSourceDefinition<ToyClient> = {
  typeName: "toy_notes",
  schema: {
    description: "Names of every note.",
    attributes: { names: { type: cty.list(cty.string), computed: true, description: "Sorted note names." } },
  },
  async read({ client }) {
    const files = await readdir(client.directory).catch(() => []);
    return { names: files.filter((file) => file.endsWith(".json")).map((file) => file.slice(0, -5)).sort() };
  },
};

export const toyProvider: ProviderDefinition<ToyClient> = {
  name: "toy",
  version: "0.0.1",
  schema: {
    description: "Toy provider.",
    attributes: { directory: { type: cty.string, required: true, description: "Where notes are kept." } },
  },
  async configure(config) {
    if (typeof config.directory !== "string") throw new DiagnosticError([Diagnostics.missingAttribute(["directory"], "Set directory.")]);
    return { directory: config.directory };
  },
  resources: [note],
  dataSources: [notes],
};

