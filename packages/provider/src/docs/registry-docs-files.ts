import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { keywardProvider } from "../provider";
import type { ProviderDefinition } from "@keyward/terraform-plugin";
import { registryDocs } from "./registry-docs";

/** The docs of this provider as files: what should be in `packages/provider/docs/`, and what is. */
export const DOCS_DIR = fileURLToPath(new URL("../../docs", import.meta.url));
const EXAMPLES_DIR = fileURLToPath(new URL("../../../../examples/terraform", import.meta.url));

export function expectedDocs(): Map<string, string> {
  return registryDocs(keywardProvider as ProviderDefinition<unknown>, {
    read: (path) => {
      const file = join(EXAMPLES_DIR, path);
      return existsSync(file) ? readFileSync(file, "utf8") : undefined;
    },
  });
}

export function committedDocs(): Map<string, string> {
  const pages = new Map<string, string>();
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".md")) pages.set(relative(DOCS_DIR, path), readFileSync(path, "utf8"));
    }
  };
  walk(DOCS_DIR);
  return pages;
}
