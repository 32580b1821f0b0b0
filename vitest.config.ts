import { fileURLToPath } from "node:url";
import { relative } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Test files in the order that ends the run soonest on 2 workers: the longest first, so that no
 * long file starts last and runs on alone while the other worker idles. A clean clone has no
 * vitest cache of durations (vitest would order by file size), so the files that take longest are
 * named here with their cost in seconds, from a whole run; the others follow in vitest's own order.
 * A name that goes stale only costs balance, never a test.
 */
const slowest: Record<string, number> = {
  "test/packages/installed-packages.test.ts": 110,
  "packages/server/test/authorization-matrix.test.ts": 75,
  "test/terraform/keyward-provider.test.ts": 70,
  "packages/server/test/cli.test.ts": 51,
  "test/cdktf/example-cli.test.ts": 51,
  "test/terraform/key-destinations.test.ts": 46,
  "test/terraform/project-policy.test.ts": 34,
  "packages/cdktf/test/bindings-drift.test.ts": 34,
  "packages/server/src/domain/usage-recorder.test.ts": 32,
  "test/terraform/provider-executable-release.test.ts": 30,
  "test/cli-key-lifecycle.test.ts": 30,
  "test/terraform/trust-policy.test.ts": 28,
  "test/cdktf/example-apply.test.ts": 25,
  "test/terraform/webhook-resource.test.ts": 25,
  "test/action/action-rotate.test.ts": 24,
  "test/npm-start.test.ts": 22,
  "packages/server/test/audit-tamper.test.ts": 20,
  "test/terraform/ephemeral-secret.test.ts": 20,
  "test/in-process-verifier.test.ts": 17,
  "test/in-process-verifier-postgres.test.ts": 13,
};

class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const cost = (file: TestSpecification) => slowest[relative(file.project.config.root, file.moduleId).split("\\").join("/")] ?? 0;
    // Array.prototype.sort is stable: the files not named keep vitest's order.
    return [...ordered].sort((a, b) => cost(b) - cost(a));
  }
}

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@keyward/contract": src("./packages/contract/src/index.ts"),
      "@keyward/client": src("./packages/client/src/index.ts"),
      "@keyward/github-secrets": src("./packages/github-secrets/src/index.ts"),
      "@keyward/terraform-plugin": src("./packages/terraform-plugin/src/index.ts"),
      "@keyward/cdktf": src("./packages/cdktf/src/index.ts"),
      "@keyward/provider": src("./packages/provider/src/index.ts"),
      "@keyward/server": src("./packages/server/src/index.ts"),
    },
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts", "scanners/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // One process per worker for all its files, not one per file: a fresh process pays again for
    // the imports and for the embedded database's initdb and migrations (the in-memory template,
    // once per process), some 8 s of CPU per file that opens a key service. Test files share no
    // state but what is cached at module level in the product (that template) and close what
    // they open.
    isolate: false,
    // 2 cores: end-to-end suites start servers, PostgreSQL clusters and terraform.
    maxWorkers: 2,
    sequence: { sequencer: SlowestFirstSequencer },
    reporters: ["default"],
  },
});
