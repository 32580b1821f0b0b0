import { servePlugin } from "@keyward/terraform-plugin";

// The resources (and the API client with its schemas) load after the handshake, while Terraform
// is already talking to us: Terraform launches the provider 3–4 times per command.
void servePlugin(async () => (await import("./provider")).keywardProvider);
