// A key's life through the SDK: declare a project and its scopes, issue a live key, verify it,
// rotate it with a grace period (both secrets verify), then revoke it (neither does).
//
//   KEYWARD_URL=http://127.0.0.1:8787 KEYWARD_TOKEN=kwm_… npx tsx examples/sdk/key-lifecycle.ts
import { ConflictError, Keyward, KeywardError } from "@keyward/client";

export interface LifecycleReport {
  readonly keyId: string;
  readonly steps: ReadonlyArray<{ readonly step: string; readonly code: string }>;
}

/** Creates the project, or keeps it when an earlier run did: the example can run again. */
async function ensureProject(keyward: Keyward, project: string): Promise<void> {
  try {
    await keyward.projects.create({ name: project, description: "Invoices and payments" });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}

/** One line a person can act on, never a stack trace. */
export function describeFailure(error: unknown): string {
  if (error instanceof KeywardError) return `key-lifecycle: ${error.message} (${error.code}${error.requestId ? `, request ${error.requestId}` : ""})`;
  return `key-lifecycle: ${error instanceof Error ? error.message : String(error)}`;
}

// Its own project, so it runs beside the README's CLI, Terraform and CDKTF walk-throughs.
export async function keyLifecycle(keyward: Keyward, project = "billing-sdk"): Promise<LifecycleReport> {
  await ensureProject(keyward, project);
  await keyward.scopes.put(project, "invoices:read", { description: "Read invoices" });
  await keyward.scopes.put(project, "invoices:write", { description: "Create and change invoices" });

  const { key, secret } = await keyward.keys.create({
    project,
    environment: "live",
    name: "ci-deployer",
    scopes: ["invoices:read", "invoices:write"],
    rotation: { every: "30d", grace_period: "24h" },
    metadata: { team: "payments" },
  });
  // `secret` prints as Secret(kw_live_…abcd); hand `secret.reveal()` only to where it is stored.
  const steps: Array<{ step: string; code: string }> = [];
  const check = async (step: string, candidate = secret, scopes?: string[]) => {
    steps.push({ step, code: (await keyward.verify({ key: candidate, scopes })).code });
  };

  await check("issued");
  await check("asks for an undeclared scope", secret, ["refunds:write"]);
  const rotated = await keyward.keys.rotate(key.id, { grace_period: "1h" });
  await check("previous secret during the grace period");
  await check("new secret", rotated.secret);
  await keyward.keys.revoke(key.id);
  await check("previous secret after revocation");
  await check("new secret after revocation", rotated.secret);
  return { keyId: key.id, steps };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const report = await keyLifecycle(Keyward.fromEnvironment(), process.argv[2]);
    for (const { step, code } of report.steps) console.log(`${step.padEnd(42)} ${code}`);
  } catch (error) {
    console.error(describeFailure(error));
    process.exitCode = 1;
  }
}
