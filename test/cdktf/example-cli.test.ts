import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Keyward, NotFoundError } from "@keyward/client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startKeyward, type StartedKeyward } from "../../packages/server/src/index";
import { installKeywardProvider, keywardProviderExecutable } from "../terraform/keywardProviderBuild";
import { TerraformWorkspace } from "../terraform/terraformWorkspace";
import { cdkTerrainCli } from "./cdk-terrain-cli";
import { CdktfExample, STACK } from "./cdktf-example";

// Issue 10, acceptance 3 (SPEC §17): the standard CLI workflow on examples/cdktf (its cdktf.json),
// offline: the provider comes from a filesystem mirror named by the test's own TF_CLI_CONFIG_FILE,
// and --skip-provider-lock keeps `terraform providers lock` (which asks the registry) from running.
// Then the same stack as a CDK Terrain app: `cdktn synth`, and terraform applies what it wrote.
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const cdktf = join(repoRoot, "node_modules/.bin/cdktf");
const scratch = await mkdtemp(join(tmpdir(), "keyward-cdktf-cli-"));
let executable: string;

beforeAll(async () => {
  executable = await keywardProviderExecutable(scratch);
}, 120_000);
afterAll(() => rm(scratch, { recursive: true, force: true }));

interface Stage {
  readonly service: StartedKeyward;
  readonly client: Keyward;
  readonly workspace: TerraformWorkspace;
  readonly example: CdktfExample;
}

/** A key service of its own, a mirror holding the provider under test and a private copy of the example. */
async function stage(): Promise<Stage> {
  const [service, example] = await Promise.all([startKeyward(), CdktfExample.copy()]);
  const workspace = await TerraformWorkspace.create({ env: { KEYWARD_TOKEN: service.rootToken, KEYWARD_URL: service.url } });
  await installKeywardProvider({ dir: workspace.mirror, executable });
  return { service, example, workspace, client: new Keyward({ url: service.url, token: service.rootToken }) };
}

async function dispose(stage: Stage | undefined): Promise<void> {
  await stage?.example.remove();
  await stage?.workspace.dispose();
  await stage?.service.close();
}

/** The CLI's environment: the workspace's (mirror config, token) with no plugin cache in $HOME and no update check. */
function cliEnvironment(stage: Stage, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...stage.workspace.environment, CDKTF_DISABLE_PLUGIN_CACHE_ENV: "true", CI: "1", FORCE_COLOR: "0", ...extra };
}

describe("examples/cdktf with the cdktf CLI", () => {
  let cli: Stage;
  beforeAll(async () => {
    cli = await stage();
  });
  afterAll(() => dispose(cli));

  async function cdktfCommand(...args: string[]): Promise<string> {
    const { exitCode, output } = await cli.example.exec(cdktf, args, cliEnvironment(cli));
    expect(exitCode, `cdktf ${args.join(" ")}:\n${output}`).toBe(0);
    expect(output, "the management token is never printed").not.toContain(cli.service.rootToken);
    return output;
  }

  test("cdktf synth, diff, deploy --auto-approve and destroy --auto-approve against a running key service", async () => {
    await cdktfCommand("synth");
    const stack = JSON.parse(await readFile(join(cli.example.dir, "cdktf.out/stacks", STACK, "cdk.tf.json"), "utf8"));
    expect(stack.terraform.required_providers.keyward).toEqual({ source: "registry.terraform.io/keyward/keyward", version: "0.1.0" });
    expect(JSON.stringify(stack)).not.toContain(cli.service.rootToken);

    // Synthesis takes a quarter of each command on a busy machine: diff and destroy reuse the
    // synthesized stack (--skip-synth), deploy synthesizes again as a user's `cdktf deploy` does.
    const diff = await cdktfCommand("diff", "--skip-synth", "--skip-provider-lock");
    expect(diff).toContain("Plan: 5 to add, 0 to change, 0 to destroy.");

    const outputsFile = join(cli.example.dir, "outputs.json");
    await cdktfCommand("deploy", "--auto-approve", "--skip-provider-lock", "--outputs-file", outputsFile);
    const { data: [deployer] = [] } = await cli.client.keys.page({ project: "billing-cdktf", environment: "live", name: "ci-deployer" });
    expect(deployer?.rotation).toEqual({ every: "30d", grace_period: "24h" });
    const outputs = JSON.parse(await readFile(outputsFile, "utf8")) as Record<string, Record<string, unknown>>;
    expect(outputs[STACK]?.deployer_key_id).toBe(deployer?.id);
    expect(outputs[STACK], "sensitive outputs stay out of the outputs file").not.toHaveProperty("deployer_secret");

    await cdktfCommand("destroy", "--auto-approve", "--skip-synth", "--skip-provider-lock");
    await expect(cli.client.projects.get("billing-cdktf")).rejects.toBeInstanceOf(NotFoundError);
    // Four CLI commands, the last three each running terraform init, plan and the provider several times.
  }, 300_000);
});

describe("the same stack as a CDK Terrain app", () => {
  let terrain: Stage;
  beforeAll(async () => {
    terrain = await stage();
    await terrain.example.useCdkTerrain();
  });
  afterAll(() => dispose(terrain));

  test("cdktn synth writes a stack that terraform applies", async () => {
    const { node, entry } = await cdkTerrainCli();
    // The app (`npx tsx main.ts` from cdktf.json) runs on the same Node as the CLI.
    const path = `${dirname(node)}:${terrain.workspace.environment.PATH ?? ""}`;
    const synth = await terrain.example.exec(node, [entry, "synth"], cliEnvironment(terrain, { PATH: path }));
    expect(synth.exitCode, `cdktn synth:\n${synth.output}`).toBe(0);
    const stackJson = await readFile(join(terrain.example.dir, "cdktf.out/stacks", STACK, "cdk.tf.json"), "utf8");
    expect(JSON.parse(stackJson)["//"].metadata.version).toMatch(/^0\.24\./);
    await terrain.workspace.writeFile("cdk.tf.json", stackJson);

    await terrain.workspace.init();
    await terrain.workspace.apply();
    const { data } = await terrain.client.keys.page({ project: "billing-cdktf" });
    expect(data.map((key) => [key.environment, key.name]).toSorted()).toEqual([
      ["live", "ci-deployer"],
      ["test", "dashboard"],
    ]);
  }, 300_000);
});
