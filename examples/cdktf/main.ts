// Synthesizes the stack to cdktf.out/stacks/billing-keys/cdk.tf.json (or $CDKTF_OUTDIR): `npm run synth`.
import { App } from "cdktf";
import { BillingKeysStack } from "./billing-keys-stack";

// The URL goes into the synthesized configuration. The token never does: cdk.tf.json is a build
// artifact that gets committed, uploaded and printed, so the provider reads KEYWARD_TOKEN itself.
const endpoint = process.env.KEYWARD_URL;
if (!process.env.KEYWARD_TOKEN) {
  console.error("note: KEYWARD_TOKEN is not set; terraform plan and apply will need it (a management token with projects:write, scopes:write, keys:write)");
}

const app = new App();
// KEYWARD_DELIVER_TO=owner/repo delivers the live key's secret to that repository's Actions secret
// BILLING_API_KEY instead of keeping it in the Terraform state (the provider then needs GITHUB_TOKEN).
new BillingKeysStack(app, "billing-keys", { endpoint, deliverTo: process.env.KEYWARD_DELIVER_TO || undefined });
app.synth();
console.error(`synthesized ${app.outdir}/stacks/billing-keys/cdk.tf.json`);
