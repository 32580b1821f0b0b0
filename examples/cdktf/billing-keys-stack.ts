import { Duration, KeywardProject, provider, Rotation } from "@keyward/cdktf";
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";

/** Where the key service is; the management token is deliberately not a property (see README). */
export interface BillingKeysStackProps {
  /** The key service's URL; when absent the provider reads KEYWARD_URL at plan and apply. */
  readonly endpoint?: string;
}

/** The billing API's keys: its scope catalog, a test key for the dashboard and a rotated live key for CI. */
export class BillingKeysStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: BillingKeysStackProps) {
    super(scope, id);
    new provider.KeywardProvider(this, "keyward", { endpoint: props.endpoint });

    const billing = new KeywardProject(this, "Billing", {
      name: "billing-cdktf",
      description: "Invoices and payments",
      scopes: {
        "invoices:read": "Read invoices",
        "invoices:write": "Create and update invoices",
      },
    });

    const dashboard = billing.addKey("Dashboard", {
      environment: "test",
      name: "dashboard",
      scopes: ["invoices:read"],
    });

    const deployer = billing.addKey("Deployer", {
      environment: "live",
      name: "ci-deployer",
      scopes: ["invoices:read", "invoices:write"],
      rotation: Rotation.every(Duration.days(30)).withGracePeriod(Duration.hours(24)),
      metadata: { team: "payments" },
    });

    new TerraformOutput(this, "dashboard_key_id", { value: dashboard.keyId });
    new TerraformOutput(this, "deployer_key_id", { value: deployer.keyId });
    new TerraformOutput(this, "deployer_secret", { value: deployer.secret, sensitive: true });
  }
}
