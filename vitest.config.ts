import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@keyward/contract": src("./packages/contract/src/index.ts"),
      "@keyward/client": src("./packages/client/src/index.ts"),
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
    // 2 cores: end-to-end suites start servers, PostgreSQL clusters and terraform.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
