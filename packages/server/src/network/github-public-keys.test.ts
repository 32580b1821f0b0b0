import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GithubPublicKeys } from "./github-public-keys";

let current = "first";
let fetches = 0;
const pem = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey.export({ type: "spki", format: "pem" }).toString();
const server = createServer((request, response) => {
  fetches += 1;
  if (request.url !== "/meta/public_keys/secret_scanning") {
    response.statusCode = 404;
    return response.end();
  }
  response.end(JSON.stringify({ public_keys: [{ key_identifier: current, key: pem, is_current: true }] }));
});
let apiUrl: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("GithubPublicKeys", () => {
  it("caches keys and refreshes on an unknown identifier, at most once a minute", async () => {
    let now = 0;
    const keys = new GithubPublicKeys(apiUrl, 5_000, () => now);
    expect(await keys.find("first")).toBeDefined();
    expect(await keys.find("first")).toBeDefined();
    expect(fetches).toBe(1);
    current = "second";
    expect(await keys.find("second")).toBeUndefined();
    expect(fetches).toBe(1);
    now = 61_000;
    expect(await keys.find("second")).toBeDefined();
    expect(fetches).toBe(2);
  });

  it("fails loudly when GitHub's key endpoint does not answer 200", async () => {
    await expect(new GithubPublicKeys(`${apiUrl}/elsewhere`).find("first")).rejects.toThrow(/answered 404/);
  });
});
