import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Keyward } from "@keyward/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyLifecycle } from "../examples/sdk/key-lifecycle";
import { type StartedKeyward, startKeyward } from "../packages/server/src/index";

/**
 * A newcomer reads README.md top to bottom on one fresh key service: the CLI quickstart, then the
 * Terraform, CDKTF and SDK examples. None may trip over another's project with a CONFLICT.
 */

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
let server: StartedKeyward;
let readme: string;

/** The ```sh blocks of README.md, in order. */
const shellBlocks = (markdown: string) => [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);

beforeAll(async () => {
  if (!existsSync(`${root}packages/server/dist/cli.js`)) throw new Error("the CLI is not built: run `npm run build` (npm test does) first");
  server = await startKeyward();
  readme = await readFile(`${root}README.md`, "utf8");
});

afterAll(async () => {
  await server?.close();
});

const projectsOf = {
  terraform: async () => /resource "keyward_project" "\w+" \{\s*name\s*=\s*"([^"]+)"/.exec(await readFile(`${root}examples/terraform/main.tf`, "utf8"))?.[1],
  cdktf: async () => /new KeywardProject\(this, "\w+", \{\s*name: "([^"]+)"/.exec(await readFile(`${root}examples/cdktf/billing-keys-stack.ts`, "utf8"))?.[1],
  sdk: async () => /keyLifecycle\(keyward: Keyward, project = "([^"]+)"\)/.exec(await readFile(`${root}examples/sdk/key-lifecycle.ts`, "utf8"))?.[1],
};

describe("README.md, top to bottom on a fresh data directory", () => {
  it("runs the CLI quickstart block as written, with no CONFLICT", async () => {
    const block = shellBlocks(readme).find((candidate) => candidate.includes("keyward projects create"));
    expect(block, "README.md has a ```sh block with the CLI quickstart").toBeDefined();
    // The block's one interactive line reads the token a person pastes; the test has it already.
    const script = block!
      .replace(/^export KEYWARD_URL=.*$/m, `export KEYWARD_URL=${server.url}`)
      .replace(/^read -rs KEYWARD_TOKEN.*$/m, "export KEYWARD_TOKEN");
    expect(script).not.toContain("read -rs");
    // In this checkout `npx keyward` runs node_modules/.bin/keyward; calling it directly spares
    // npm's start-up on every line of the block.
    const npx = 'npx() { if [ "$1" = keyward ]; then shift; keyward "$@"; else command npx "$@"; fi; }';
    const { stdout, stderr } = await run("bash", ["-c", `set -o pipefail\n${npx}\n${script}`], {
      cwd: root,
      env: { ...process.env, PATH: `${root}node_modules/.bin:${process.env.PATH ?? ""}`, KEYWARD_TOKEN: server.rootToken, npm_config_loglevel: "silent" },
      maxBuffer: 8 * 1024 * 1024,
    });
    expect(stderr).not.toContain("CONFLICT");
    expect(stderr).not.toMatch(/^keyward: /m);
    expect(stdout).toMatch(/ok|true|intact|verified/i);
    const client = new Keyward({ url: server.url, token: server.rootToken });
    const { data } = await client.keys.page({ project: "billing-api", environment: "live", name: "ci-deployer" });
    expect(data.map((key) => key.status)).toEqual(["revoked"]);
  }, 300_000);

  it("gives the Terraform, CDKTF and SDK examples each their own project, apart from the quickstart's", async () => {
    const quickstart = /keyward projects create (\S+)/.exec(readme)?.[1];
    const names = { quickstart, terraform: await projectsOf.terraform(), cdktf: await projectsOf.cdktf(), sdk: await projectsOf.sdk() };
    for (const [example, name] of Object.entries(names)) expect(name, `${example}'s project name`).toMatch(/^[a-z][a-z0-9-]+$/);
    expect(new Set(Object.values(names)).size, JSON.stringify(names)).toBe(4);
  });

  it("then runs the SDK example twice after the quickstart, on the same service, with no CONFLICT", async () => {
    const keyward = new Keyward({ url: server.url, token: server.rootToken });
    for (let round = 0; round < 2; round += 1) {
      const report = await keyLifecycle(keyward);
      expect(report.steps.at(0)).toEqual({ step: "issued", code: "VALID" });
    }
  });
});
