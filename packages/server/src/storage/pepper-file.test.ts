import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadPepper, PEPPER_FILE } from "./pepper-file";

const root = mkdtempSync(join(tmpdir(), "keyward-pepper-"));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("loadPepper", () => {
  it("creates a 32-byte pepper file readable only by its owner, and reads the same one back", async () => {
    const dataDir = join(root, "fresh");
    const first = await loadPepper({ dataDir });
    expect(first?.length).toBe(32);
    expect(statSync(join(dataDir, PEPPER_FILE)).mode & 0o777).toBe(0o600);
    expect(await loadPepper({ dataDir })).toEqual(first);
  });

  it("tightens a pepper file someone made readable to others", async () => {
    const dataDir = join(root, "loose");
    const first = await loadPepper({ dataDir });
    chmodSync(join(dataDir, PEPPER_FILE), 0o644);
    expect(await loadPepper({ dataDir })).toEqual(first);
    expect(statSync(join(dataDir, PEPPER_FILE)).mode & 0o777).toBe(0o600);
  });

  it("prefers KEYWARD_PEPPER (base64, hex or a long passphrase) and writes no file then", async () => {
    const dataDir = join(root, "from-env");
    const bytes = Buffer.alloc(32, 7);
    expect(await loadPepper({ dataDir, fromEnvironment: bytes.toString("base64") })).toEqual(bytes);
    expect(await loadPepper({ dataDir, fromEnvironment: bytes.toString("hex") })).toEqual(bytes);
    expect(Buffer.from((await loadPepper({ dataDir, fromEnvironment: "a passphrase of at least thirty-two chars" })) ?? []).toString()).toBe(
      "a passphrase of at least thirty-two chars",
    );
    expect(() => readFileSync(join(dataDir, PEPPER_FILE))).toThrow();
  });

  it("refuses a short KEYWARD_PEPPER with a message saying what to use", async () => {
    await expect(loadPepper({ fromEnvironment: "short" })).rejects.toThrow("at least 32 bytes");
  });

  it("has no pepper for an in-memory database without one", async () => {
    expect(await loadPepper({})).toBeUndefined();
  });
});
