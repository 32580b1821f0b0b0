import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

/**
 * `npm start` as the README runs it. A process manager, a container runtime or `kill` sends
 * SIGTERM to the npm process only: the server must stop with it and free its data directory,
 * not live on as an orphan holding the lock.
 */

const root = fileURLToPath(new URL("..", import.meta.url));
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean | Promise<boolean>, what: string, limitMs = 20_000): Promise<void> {
  for (let waited = 0; waited < limitMs; waited += 100) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting: ${what}`);
}

describe("npm start", () => {
  it.each(["SIGTERM", "SIGINT"] as const)("stops the server and frees the data directory when the npm process gets %s", async (signal) => {
    const dataDir = await mkdtemp(join(tmpdir(), "keyward-npm-start-"));
    const port = await freePort();
    const npm = spawn("npm", ["start"], {
      cwd: root,
      env: { ...process.env, KEYWARD_DATA_DIR: dataDir, KEYWARD_PORT: String(port), KEYWARD_HOST: "127.0.0.1", npm_config_loglevel: "silent" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    npm.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    npm.stdout.resume();
    const exited = new Promise<void>((resolve) => npm.once("exit", () => resolve()));
    const lock = join(dataDir, "keyward.lock");
    let serverPid = 0;
    cleanups.push(async () => {
      for (const pid of [serverPid, npm.pid ?? 0]) if (pid && running(pid)) process.kill(pid, "SIGKILL");
      await rm(dataDir, { recursive: true, force: true });
    });

    await until(() => stderr.includes("keyward listening"), `the server to listen (stderr so far: ${stderr.slice(-500)})`, 120_000);
    serverPid = Number((await readFile(lock, "utf8")).trim());
    expect(serverPid).toBeGreaterThan(0);
    expect(running(serverPid)).toBe(true);

    process.kill(npm.pid!, signal);
    await exited;
    await until(() => !running(serverPid), `server process ${serverPid} to stop after ${signal} to npm`);
    await until(() => !existsSync(lock), "the data-dir lock to be released");
  }, 180_000);
});
