import { type ApiKey, type Keyward, Secret } from "@keyward/client";
import sodium from "libsodium-wrappers";
import { beforeAll, describe, expect, it } from "vitest";
import { ActionError } from "./action-error";
import { GitHubRequestError, type GitHubSecrets } from "./github-secrets";
import { rotateKeys } from "./rotate";
import type { Runner } from "./runner";
import { readSettings } from "./settings";

// The orchestration of rotate mode with the key service and GitHub replaced by recording fakes;
// test/action/action-rotate.test.ts runs the same paths against the real things.

let publicKey: { key_id: string; key: string };

beforeAll(async () => {
  await sodium.ready;
  publicKey = { key_id: "568250167242549743", key: sodium.to_base64(sodium.crypto_box_keypair().publicKey, sodium.base64_variants.ORIGINAL) };
});

function apiKey(name: string, version = 1): ApiKey {
  return {
    id: `key_${name.padEnd(20, "0").slice(0, 20)}`,
    project: "billing-api",
    environment: "live",
    name,
    scopes: ["invoices:read"],
    status: "active",
    version,
    hint: "kw_live_…abcd",
    expires_at: null,
    rotation: { every: "30d", grace_period: "24h" },
    rotated_at: null,
    next_rotation_at: null,
    rotation_due: false,
    ip_allowlist: null,
    rate_limit: null,
    metadata: {},
    created_at: "2026-11-01T00:00:00Z",
    updated_at: "2026-11-01T00:00:00Z",
    last_used_at: null,
  };
}

class FakeKeyward {
  readonly calls: string[] = [];
  readonly issued = new Map<string, string>();
  constructor(
    readonly keys: ApiKey[],
    readonly failRotate = new Set<string>(),
    readonly failRollback = new Set<string>(),
  ) {}
  asClient(): Keyward {
    const self = this;
    return {
      keys: {
        list: ({ name }: { name: string }) => ({ toArray: async () => self.keys.filter((key) => key.name === name) }),
        get: async (id: string) => self.keys.find((key) => key.id === id),
        rotate: async (id: string, params: unknown, options: { idempotencyKey: string }) => {
          self.calls.push(`rotate ${id} ${JSON.stringify(params)} ${options.idempotencyKey}`);
          const key = self.keys.find((candidate) => candidate.id === id)!;
          if (self.failRotate.has(key.name)) throw new Error("503 UNAVAILABLE: try again later");
          const plaintext = `kw_live_${key.name.replace(/\W/g, "")}NewSecretValue0123456789abcdef`;
          self.issued.set(key.name, plaintext);
          return { key: { ...key, version: key.version + 1 }, secret: new Secret(plaintext), previous: { version: key.version, expires_at: "2026-11-02T00:00:00Z" } };
        },
        rollback: async (id: string) => {
          self.calls.push(`rollback ${id}`);
          const key = self.keys.find((candidate) => candidate.id === id)!;
          if (self.failRollback.has(key.name)) throw new Error("409 CONFLICT: previous secret already expired");
          return key;
        },
      },
    } as unknown as Keyward;
  }
}

class FakeGitHub {
  readonly calls: string[] = [];
  /** The key id GitHub currently holds; a value sealed for another one is refused with 422. */
  currentKeyId = "568250167242549743";
  constructor(readonly failPut = new Set<string>()) {}
  asClient(): GitHubSecrets {
    return {
      repositoryId: async () => 1,
      publicKey: async (destination: { kind: string }) => {
        this.calls.push(`public-key ${destination.kind}`);
        return { ...publicKey, key_id: this.currentKeyId };
      },
      put: async (_destination: unknown, name: string, sealed: { encrypted_value: string; key_id: string }) => {
        this.calls.push(`put ${name} ${sealed.key_id}`);
        if (this.failPut.has(name)) throw new ActionError(`GitHub answered 500 to PUT …/${name}: Server Error`);
        if (sealed.key_id !== this.currentKeyId) throw new GitHubRequestError(422, `PUT …/${name}`, "Invalid request.");
        expect(sealed.encrypted_value.length).toBeGreaterThan(48);
        return "created";
      },
    } as unknown as GitHubSecrets;
  }
}

function recordingRunner() {
  const calls: Array<[string, string]> = [];
  const runner: Runner = {
    info: (m) => void calls.push(["info", m]),
    warning: (m) => void calls.push(["warning", m]),
    debug: (m) => void calls.push(["debug", m]),
    setSecret: (v) => void calls.push(["setSecret", v]),
    setOutput: (n, v) => void calls.push(["setOutput", `${n}=${v}`]),
    summary: async (m) => void calls.push(["summary", m]),
    getIDToken: async () => {
      throw new Error("no OIDC in these tests");
    },
  };
  return { runner, calls };
}

const targets = [
  "- key: billing-api/live/alpha",
  "  secret: ALPHA",
  "- key: billing-api/live/alpha",
  "  secret: ALPHA_TOO",
  "- key: billing-api/live/beta",
  "  secret: BETA",
].join("\n");

function settings(extra: Record<string, string> = {}) {
  const inputs: Record<string, string> = { "keyward-url": "http://127.0.0.1:1", "keyward-token": "kwm_x", "github-token": "ghp_x", targets, ...extra };
  return readSettings((name) => inputs[name] ?? "", { GITHUB_REPOSITORY: "acme/api", GITHUB_EVENT_NAME: "schedule" });
}

describe("rotateKeys", () => {
  it("masks each new secret before any other line, and prints it nowhere else", async () => {
    const keyward = new FakeKeyward([apiKey("alpha"), apiKey("beta")]);
    const { runner, calls } = recordingRunner();
    let idempotencyKeys = 0;
    await rotateKeys(settings({ "grace-period": "2h" }), {
      keyward: keyward.asClient(),
      github: new FakeGitHub().asClient(),
      runner,
      newIdempotencyKey: () => `idem-${++idempotencyKeys}`,
    });
    for (const secret of keyward.issued.values()) {
      const masked = calls.findIndex(([kind, value]) => kind === "setSecret" && value === secret);
      expect(masked).toBeGreaterThan(0);
      expect(calls[masked - 1]?.[1]).not.toMatch(/^Rotated/);
      expect(calls[masked + 1]?.[1]).toMatch(/^Rotated billing-api\/live\/\w+ .* to version 2\.$/);
      expect(calls.filter(([kind, value]) => kind !== "setSecret" && value.includes(secret))).toEqual([]);
    }
    expect(keyward.calls).toEqual([
      `rotate key_alpha000000000000000 {"grace_period":"2h"} idem-1`,
      `rotate key_beta0000000000000000 {"grace_period":"2h"} idem-2`,
    ]);
  });

  it("fetches each destination's public key once, before the first rotation", async () => {
    const keyward = new FakeKeyward([apiKey("alpha"), apiKey("beta")]);
    const github = new FakeGitHub();
    await rotateKeys(settings(), { keyward: keyward.asClient(), github: github.asClient(), runner: recordingRunner().runner, newIdempotencyKey: () => "k" });
    expect(github.calls).toEqual([
      "public-key repository",
      "put ALPHA 568250167242549743",
      "put ALPHA_TOO 568250167242549743",
      "put BETA 568250167242549743",
    ]);
  });

  it("seals again once when GitHub replaced the public key during the run", async () => {
    const keyward = new FakeKeyward([apiKey("alpha"), apiKey("beta")]);
    const github = new FakeGitHub();
    const client = github.asClient();
    const { runner } = recordingRunner();
    const realPut = client.put.bind(client);
    // GitHub replaces the key pair right after the first write.
    client.put = async (...args: Parameters<GitHubSecrets["put"]>) => {
      const result = await realPut(...args);
      github.currentKeyId = "999";
      return result;
    };
    await rotateKeys(settings(), { keyward: keyward.asClient(), github: client, runner, newIdempotencyKey: () => "k" });
    expect(github.calls).toEqual([
      "public-key repository",
      "put ALPHA 568250167242549743",
      "put ALPHA_TOO 568250167242549743",
      "public-key repository",
      "put ALPHA_TOO 999",
      "put BETA 999",
    ]);
  });

  it("carries on past a key the service refuses to rotate, and names it at the end", async () => {
    const keyward = new FakeKeyward([apiKey("alpha"), apiKey("beta")], new Set(["alpha"]));
    const { runner, calls } = recordingRunner();
    const failure = rotateKeys(settings(), { keyward: keyward.asClient(), github: new FakeGitHub().asClient(), runner, newIdempotencyKey: () => "k" });
    await expect(failure).rejects.toThrow(
      "Rotation failed for 1 key(s); 1 other key(s) were rotated.\n- billing-api/live/alpha (key_alpha000000000000000): the key service refused the rotation (503 UNAVAILABLE: try again later); nothing changed.",
    );
    expect(keyward.calls.filter((call) => call.startsWith("rollback"))).toEqual([]);
    const rotated = JSON.parse(calls.find(([kind]) => kind === "setOutput")![1].slice("rotated=".length));
    expect(rotated.map((key: { name: string }) => key.name)).toEqual(["beta"]);
  });

  it("says so when a rollback fails, and what to do", async () => {
    const keyward = new FakeKeyward([apiKey("alpha"), apiKey("beta")], new Set(), new Set(["alpha"]));
    const run = rotateKeys(settings(), {
      keyward: keyward.asClient(),
      github: new FakeGitHub(new Set(["ALPHA_TOO"])).asClient(),
      runner: recordingRunner().runner,
      newIdempotencyKey: () => "k",
    });
    const error = (await run.catch((caught: Error) => caught)) as Error;
    expect(error.message).toContain(
      "billing-api/live/alpha (key_alpha000000000000000): could not write ALPHA_TOO in acme/api (GitHub answered 500 to PUT …/ALPHA_TOO: Server Error), and the rollback failed (409 CONFLICT: previous secret already expired); version 2 stays current. Roll it back with 'keyward keys rollback key_alpha000000000000000' or rotate again.",
    );
    for (const secret of keyward.issued.values()) expect(error.message).not.toContain(secret);
  });
});
