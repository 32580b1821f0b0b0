import { codeCacheDirectory, runPart, type ExecutablePart } from "./executable-part";
import { keepLlhttpOnLiftoff } from "./llhttp-tiering";

/** The id by which the launch part asks for the provider part (scripts/build.mjs, `deferredProvider`). */
export const PROVIDER_PART = "keyward-executable:provider-part";

/**
 * The executable's entry: runs the launch part (main.ts: the plugin framework, up to the handshake
 * and the schema answer) and hands it the provider part (provider.ts), compiled only when the
 * launch part first asks for it, with the launch part's @keyward/terraform-plugin so that there is
 * one DiagnosticError class.
 */
export function launchExecutable(parts: { readonly launch: ExecutablePart; readonly provider: ExecutablePart }, nodeRequire: (id: string) => unknown): void {
  // In the executable only: a library user's process keeps V8's flags as its own.
  keepLlhttpOnLiftoff((flags) => (nodeRequire("node:v8") as typeof import("node:v8")).setFlagsFromString(flags));
  const cache = codeCacheDirectory();
  const providerPart = (plugin: unknown) => runPart(parts.provider, (id) => (id === "@keyward/terraform-plugin" ? plugin : nodeRequire(id)), cache);
  runPart(parts.launch, (id) => (id === PROVIDER_PART ? providerPart : nodeRequire(id)), cache);
}
