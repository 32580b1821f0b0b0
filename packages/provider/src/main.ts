import { servePlugin } from "@keyward/terraform-plugin";

/**
 * GetProviderSchema's answer, base64, which scripts/build.mjs computes from these same sources
 * (`providerSchemaAnswer`). A build without it (the tests' own) answers from the loaded provider.
 */
declare const PROVIDER_SCHEMA_ANSWER: string | undefined;

const schemaAnswer = typeof PROVIDER_SCHEMA_ANSWER === "string" ? Buffer.from(PROVIDER_SCHEMA_ANSWER, "base64") : undefined;

// The resources (and the API client with its schemas) load after the handshake, at the first call
// that needs them: Terraform launches the provider 3–4 times per command, once only for the schema.
void servePlugin(async () => (await import("./provider")).keywardProvider, undefined, schemaAnswer ? { schemaAnswer } : {});
