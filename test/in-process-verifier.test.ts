// SPEC §16: the SDK's in-process verifier against a real key service over HTTP and SSE. One suite of
// cases goes through `POST /v1/verify` and `verifier.verify()` and must get identical answers; a
// revocation must reach the verifier through the stream; a stalled stream must stop the verifier
// trusting its snapshot. No test here asserts a time: waits poll for an outcome.
import { randomBytes } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import { composeSecret } from "@keyward/contract";
import { Keyward, KeywardError, UnauthorizedError, UnavailableError, type Verifier, type VerifyResponse } from "@keyward/client";
import { startKeyward } from "@keyward/server";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClock } from "../packages/server/test/keyward-under-test";

const PROJECT = "verifier-diff";
const clock = new TestClock();
let service: Awaited<ReturnType<typeof startKeyward>>;
let admin: Keyward;
/** A token bound to PROJECT with only `keys:verify`: what a verifier runs with. */
let verifying: Keyward;
let verifyingToken: { id: string; secret: string };
/**
 * Every client of the file connects through this agent, which hangs up before the service closes,
 * so no client of the file outlives it.
 */
const agent = new Agent();

/** Polls `probe` until it holds; the test's own timeout is the only bound. */
async function until(probe: () => boolean | Promise<boolean>): Promise<void> {
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const unknownSecret = () => composeSecret("kw_live_", randomBytes(32));

beforeAll(async () => {
  service = await startKeyward({ clock: clock.read, usageFlushMs: 50, checkResponses: true });
  admin = new Keyward({ url: service.url, token: service.rootToken, maxRetries: 0, dispatcher: agent });
  await admin.projects.create({ name: PROJECT });
  await admin.projects.create({ name: "verifier-other" });
  for (const scope of ["orders:read", "orders:write"]) {
    await admin.scopes.put(PROJECT, scope);
    await admin.scopes.put("verifier-other", scope);
  }
  const created = await admin.tokens.create({ name: "verifier", scopes: ["keys:verify"], project: PROJECT });
  verifyingToken = { id: created.token.id, secret: created.secret.reveal() };
  verifying = new Keyward({ url: service.url, token: verifyingToken.secret, maxRetries: 0, dispatcher: agent });
});
afterAll(async () => {
  await agent.destroy();
  await service?.close();
});

interface Case {
  name: string;
  secret: string;
  scopes?: string[];
  ip?: string;
  /** Fields the contract does not know, sent beside the others (malformed input). */
  extra?: Record<string, unknown>;
  /** Verify this many times in a row (rate limits). */
  times?: number;
  /** Only the server can answer (a rate limit is one count, cluster-wide): the snapshot must decline and `verify()` ask. */
  server?: true;
}

/** What a verification ended in: an answer, or the error the SDK raised, as a caller sees it. */
type Outcome = VerifyResponse | { error: { class: string; code: string; message: string; issues: unknown } };

const checkOf = (c: Case) => ({ ...(c.scopes ? { scopes: c.scopes } : {}), ...(c.ip ? { ip: c.ip } : {}), ...c.extra });

/** Makes every kind of key the rules tell apart; the answer each should get is whatever the server says. */
async function differentialCases(): Promise<Case[]> {
  const live = { project: PROJECT, environment: "live" as const };
  const make = async (name: string, extra: Record<string, unknown> = {}) => {
    const { key, secret } = await admin.keys.create({ ...live, name, scopes: ["orders:read"], metadata: { case: name }, ...extra });
    return { id: key.id, secret: secret.reveal() };
  };
  const valid = await make("valid");
  const expiring = await make("expiring", { expires_at: new Date(clock.read().getTime() + 3_600_000).toISOString() });
  const revoked = await make("revoked");
  await admin.keys.revoke(revoked.id);
  const allowlisted = await make("allowlisted", { ip_allowlist: ["10.0.0.0/8", "2001:db8::/32"] });
  const limited = await make("limited", { rate_limit: { requests: 3, window: "1m" } });
  const rotated = await make("rotated");
  const afterGrace = await admin.keys.rotate(rotated.id, { grace_period: "30m" });
  const rotatedTwice = await make("rotated-twice");
  const second = await admin.keys.rotate(rotatedTwice.id, { grace_period: "1h" });
  const third = await admin.keys.rotate(rotatedTwice.id, { grace_period: "1h" });
  const noGrace = await make("rotated-no-grace");
  const noGraceNew = await admin.keys.rotate(noGrace.id);
  const deleted = await make("deleted");
  await admin.keys.delete(deleted.id);
  const updated = await make("updated");
  await admin.keys.update(updated.id, { scopes: ["orders:read", "orders:write"], metadata: { case: "updated", changed: "yes" } });
  const test = await admin.keys.create({ project: PROJECT, environment: "test", name: "test-env", scopes: [] });
  const other = await admin.keys.create({ project: "verifier-other", environment: "live", name: "elsewhere", scopes: [] });
  const malformedChecksum = `${valid.secret.slice(0, -1)}${valid.secret.endsWith("A") ? "B" : "A"}`;
  return [
    { name: "valid", secret: valid.secret },
    { name: "valid with held scopes", secret: valid.secret, scopes: ["orders:read"] },
    { name: "insufficient scope", secret: valid.secret, scopes: ["orders:write"] },
    { name: "expiring (before, then after, its expiry)", secret: expiring.secret },
    { name: "revoked", secret: revoked.secret },
    { name: "allowlisted address", secret: allowlisted.secret, ip: "10.1.2.3" },
    { name: "allowlisted IPv6 address", secret: allowlisted.secret, ip: "2001:db8::7" },
    { name: "address outside the allowlist", secret: allowlisted.secret, ip: "192.0.2.1" },
    { name: "allowlist and no address", secret: allowlisted.secret },
    { name: "rate limit (3 per minute, 5 calls)", secret: limited.secret, times: 5, server: true },
    { name: "rate limit, not reached: a scope the key lacks", secret: limited.secret, scopes: ["orders:write"] },
    { name: "rotated: previous secret in its grace period", secret: rotated.secret },
    { name: "rotated: new secret", secret: afterGrace.secret.reveal() },
    { name: "rotated twice: the oldest secret", secret: rotatedTwice.secret },
    { name: "rotated twice: the middle secret", secret: second.secret.reveal() },
    { name: "rotated twice: the newest secret", secret: third.secret.reveal() },
    { name: "rotated with no grace period: previous secret", secret: noGrace.secret },
    { name: "rotated with no grace period: new secret", secret: noGraceNew.secret.reveal() },
    { name: "deleted", secret: deleted.secret },
    { name: "updated scopes and metadata", secret: updated.secret, scopes: ["orders:write"] },
    { name: "another environment of the project", secret: test.secret.reveal() },
    { name: "another project", secret: other.secret.reveal() },
    { name: "unknown well-formed secret", secret: unknownSecret() },
    { name: "bad checksum", secret: malformedChecksum },
    { name: "not a key at all", secret: "kw_live_nope" },
    { name: "a management token", secret: verifyingToken.secret },
    // Malformed input: POST /v1/verify answers 400, so the verifier raises the same error.
    { name: "malformed: a key over 256 characters", secret: `kw_live_${"a".repeat(300)}` },
    { name: "malformed: a key holding NUL", secret: `${valid.secret.slice(0, 20)}\u0000` },
    { name: "malformed: a key that is not text", secret: 42 as unknown as string },
    { name: "malformed: bad scope names", secret: valid.secret, scopes: ["Orders:Read", "orders:read", "orders read"] },
    { name: "malformed: too many scopes", secret: valid.secret, scopes: Array.from({ length: 257 }, () => "orders:read") },
    { name: "malformed: not an address", secret: valid.secret, ip: "10.0.0.256" },
    { name: "malformed: an address with a port", secret: allowlisted.secret, ip: "10.1.2.3:8080" },
    { name: "malformed: an unknown field", secret: valid.secret, extra: { scope: ["orders:read"] } },
  ];
}

async function answersOf(ask: (c: Case) => Promise<VerifyResponse>, cases: Case[]): Promise<Record<string, Outcome[]>> {
  const answers: Record<string, Outcome[]> = {};
  for (const c of cases) {
    answers[c.name] = [];
    for (let i = 0; i < (c.times ?? 1); i += 1) answers[c.name]!.push(await ask(c).catch(outcomeOf));
  }
  return answers;
}

function outcomeOf(error: unknown): Outcome {
  if (!(error instanceof KeywardError)) throw error;
  return { error: { class: error.constructor.name, code: error.code, message: error.message, issues: error.issues } };
}

/** The in-process side runs one rate-limit window after the HTTP side: its resets are one window later. */
function shiftedResets(answers: Record<string, Outcome[]>, by: number): Record<string, Outcome[]> {
  const shift = (outcome: Outcome): Outcome => ("ratelimit" in outcome && outcome.ratelimit ? { ...outcome, ratelimit: { ...outcome.ratelimit, reset: outcome.ratelimit.reset - by } } : outcome);
  return Object.fromEntries(Object.entries(answers).map(([name, outcomes]) => [name, outcomes.map(shift)]));
}

const WINDOW_MS = 60_000;

/** A key made after every other change: once the verifier knows it, it has seen everything before it (the stream is ordered). */
async function syncedWith(verifier: Verifier): Promise<void> {
  const { secret } = await admin.keys.create({ project: PROJECT, environment: "live", name: `sentinel-${randomBytes(4).toString("hex")}`, scopes: [] });
  await until(() => verifier.verifySync(secret).code === "VALID");
}

describe("the in-process verifier answers exactly what POST /v1/verify answers", () => {
  it("for every code, expiry, grace period, allowlist, rate limit, revocation and rotation; and again once time has passed", async () => {
    const verifier = await verifying.verifier({ project: PROJECT, clock: clock.read, onStale: "fail-closed" });
    try {
      const cases = await differentialCases();
      await syncedWith(verifier);
      for (const phase of ["now", "after 2 hours (expiry and grace periods over)"]) {
        if (phase !== "now") clock.advance(2 * 3_600_000);
        const overHttp = await answersOf((c) => verifying.verify({ key: c.secret, ...checkOf(c) }), cases);
        // A key's rate limit is one count, the server's: the in-process side starts in the next window.
        clock.advance(WINDOW_MS);
        const inProcess = await answersOf(async (c) => {
          if (!c.server) return verifier.verifySync(c.secret, checkOf(c));
          expect(() => verifier.verifySync(c.secret, checkOf(c)), c.name).toThrow(/rate limit is counted by the server/);
          return verifier.verify(c.secret, checkOf(c));
        }, cases);
        expect(inProcess, phase).toEqual(shiftedResets(overHttp, -WINDOW_MS));
        // The suite covers every code and each kind of malformed input, so agreement above means agreement on each.
        const codes = new Set(Object.values(overHttp).flat().map((outcome) => ("code" in outcome ? outcome.code : outcome.error.code)));
        if (phase === "now") expect([...codes].sort()).toEqual(["BAD_REQUEST", "EXPIRED", "INSUFFICIENT_SCOPE", "IP_NOT_ALLOWED", "NOT_FOUND", "RATE_LIMITED", "REVOKED", "VALID"]);
        else expect(overHttp["expiring (before, then after, its expiry)"]![0]).toMatchObject({ code: "EXPIRED" });
        const malformed = Object.entries(overHttp).filter(([name]) => name.startsWith("malformed"));
        for (const [name, [outcome]] of malformed) expect(outcome, name).toMatchObject({ error: { class: "BadRequestError", code: "BAD_REQUEST" } });
      }
    } finally {
      await verifier.close();
    }
  });

  it("reports its verifications as usage, recorded like the server's own", async () => {
    const { key, secret } = await admin.keys.create({ project: PROJECT, environment: "live", name: "usage-reported", scopes: [] });
    const verifier = await verifying.verifier({ project: PROJECT, clock: clock.read, usageReportMs: 50 });
    try {
      await until(() => verifier.verifySync(secret.reveal()).valid);
      verifier.verifySync(secret.reveal(), { ip: "203.0.113.9" });
      verifier.verifySync(secret.reveal(), { scopes: ["orders:write"] });
    } finally {
      await verifier.close();
    }
    await until(async () => {
      const usage = await admin.keys.usage(key.id, { granularity: "hour" });
      const counts = usage.buckets.reduce<Record<string, number>>((sum, bucket) => {
        for (const [code, count] of Object.entries(bucket.counts)) sum[code] = (sum[code] ?? 0) + (count ?? 0);
        return sum;
      }, {});
      return counts.INSUFFICIENT_SCOPE === 1 && (counts.VALID ?? 0) >= 2 && usage.last_used_at !== null;
    });
  });
});

describe("usage per secret (SPEC §18), reported by a verifier that answered alone", () => {
  it("starts a grace waiting for first use at the new secret's first in-process success, and keeps the previous secret's last use", async () => {
    const HOUR = 3_600_000;
    const rotation = { every: "30d", grace_period: "1h", grace_starts: "on_first_use" as const };
    const { key, secret: previous } = await admin.keys.create({ project: PROJECT, environment: "live", name: "first-use-in-process", scopes: [], rotation });
    const rotated = await admin.keys.rotate(key.id);
    const rotatedAt = clock.read().getTime();
    expect(rotated.previous?.expires_at).toBe(new Date(rotatedAt + 7 * 24 * HOUR).toISOString());
    // Reports only when closed: nothing reaches the server before the clock has moved past the first use.
    const verifier = await verifying.verifier({ project: PROJECT, environment: "live", clock: clock.read, onStale: "fail-closed", usageReportMs: 3_600_000 });
    clock.advance(2 * HOUR);
    const previousUsedAt = clock.read().getTime();
    await until(() => verifier.verifySync(previous.reveal(), { ip: "198.51.100.7" }).valid);
    clock.advance(HOUR);
    const firstUse = clock.read().getTime();
    expect(verifier.verifySync(rotated.secret, { ip: "203.0.113.9" })).toMatchObject({ valid: true, code: "VALID" });
    clock.advance(10 * 60_000);
    expect(verifier.verifySync(rotated.secret, { ip: "203.0.113.9" }).valid).toBe(true);
    expect(verifier.verifySync(rotated.secret, { scopes: ["orders:read"] }).code).toBe("INSUFFICIENT_SCOPE");
    clock.advance(20 * 60_000);
    await verifier.close();
    // The report arrives half an hour after the first use: the grace still starts at the first use.
    await until(async () => (await admin.keys.get(key.id)).previous?.expires_at === new Date(firstUse + HOUR).toISOString());
    expect((await admin.keys.get(key.id)).previous).toEqual({
      version: 1,
      last_used_at: new Date(previousUsedAt).toISOString(),
      last_used_ip: "198.51.100.7",
      expires_at: new Date(firstUse + HOUR).toISOString(),
      grace_started_at: new Date(firstUse).toISOString(),
    });
    // The change reaches verifiers too: a new one refuses the previous secret once its grace is over.
    const after = await verifying.verifier({ project: PROJECT, environment: "live", clock: clock.read, onStale: "fail-closed" });
    try {
      expect(after.verifySync(previous.reveal()).valid).toBe(true);
      clock.advance(HOUR);
      expect(after.verifySync(previous.reveal())).toMatchObject({ valid: false, code: "EXPIRED" });
      expect(after.verifySync(previous.reveal())).toEqual(await verifying.verify({ key: previous }));
    } finally {
      await after.close();
    }
  });
});

describe("a verifier covers one project and, if asked, one environment", () => {
  it("answers NOT_FOUND outside them, as the server does for a token bound to the same", async () => {
    const { secret: testSecret } = await admin.keys.create({ project: PROJECT, environment: "test", name: "test-only", scopes: [] });
    const { secret: liveSecret } = await admin.keys.create({ project: PROJECT, environment: "live", name: "live-only", scopes: [] });
    const liveToken = await admin.tokens.create({ name: "verifier-live", scopes: ["keys:verify"], project: PROJECT, environment: "live" });
    const liveBound = new Keyward({ url: service.url, token: liveToken.secret, maxRetries: 0, dispatcher: agent });
    const verifier = await liveBound.verifier({ project: PROJECT, clock: clock.read, onStale: "fail-closed" });
    const narrowed = await verifying.verifier({ project: PROJECT, environment: "live", clock: clock.read, onStale: "fail-closed" });
    try {
      await until(() => verifier.verifySync(liveSecret.reveal()).valid && narrowed.verifySync(liveSecret.reveal()).valid);
      const overHttp = await liveBound.verify({ key: testSecret });
      expect(overHttp).toEqual({ valid: false, code: "NOT_FOUND" });
      expect(verifier.verifySync(testSecret)).toEqual(overHttp);
      expect(narrowed.verifySync(testSecret)).toEqual(overHttp);
      // Another project's verifier key: the snapshot of a project the token cannot see is empty, not an error.
      const elsewhere = await verifying.verifier({ project: "verifier-other", clock: clock.read });
      expect(elsewhere.size).toBe(0);
      await elsewhere.close();
    } finally {
      await verifier.close();
      await narrowed.close();
    }
  });
});

describe("revocation reaches the verifier through its change stream", () => {
  it("a revoked key is refused with no HTTP fallback to lean on", async () => {
    const { key, secret } = await admin.keys.create({ project: PROJECT, environment: "live", name: "to-revoke", scopes: [] });
    const verifier = await verifying.verifier({ project: PROJECT, environment: "live", clock: clock.read, onStale: "fail-closed" });
    try {
      await until(() => verifier.verifySync(secret.reveal()).valid);
      await admin.keys.revoke(key.id);
      // fail-closed: the only way to learn of the revocation is the stream.
      await until(() => verifier.verifySync(secret.reveal()).code === "REVOKED");
      expect(verifier.verifySync(secret.reveal())).toMatchObject({ valid: false, code: "REVOKED", key: { id: key.id } });
    } finally {
      await verifier.close();
    }
  });

  it("a deleted key becomes unknown, and a key created after the verifier started verifies", async () => {
    const verifier = await verifying.verifier({ project: PROJECT, environment: "live", clock: clock.read, onStale: "fail-closed" });
    try {
      const { key, secret } = await admin.keys.create({ project: PROJECT, environment: "live", name: "late-comer", scopes: [] });
      await until(() => verifier.verifySync(secret.reveal()).valid);
      await admin.keys.delete(key.id);
      await until(() => verifier.verifySync(secret.reveal()).code === "NOT_FOUND");
      expect(verifier.verifySync(secret.reveal())).toEqual({ valid: false, code: "NOT_FOUND" });
    } finally {
      await verifier.close();
    }
  });
});

describe("the verifier's own token", () => {
  it("once revoked, ends the stream: the verifier stops trusting its snapshot and the server refuses it", async () => {
    const { secret } = await admin.keys.create({ project: PROJECT, environment: "live", name: "token-revoked", scopes: [] });
    const token = await admin.tokens.create({ name: "short-lived-verifier", scopes: ["keys:verify"], project: PROJECT });
    const verifier = await new Keyward({ url: service.url, token: token.secret, maxRetries: 0, dispatcher: agent }).verifier({ project: PROJECT, clock: clock.read });
    try {
      await until(() => verifier.verifySync(secret.reveal()).valid);
      await admin.tokens.delete(token.token.id);
      await until(() => verifier.state === "stale");
      await expect(verifier.verify(secret.reveal())).rejects.toBeInstanceOf(UnauthorizedError);
      expect(() => verifier.verifySync(secret.reveal())).toThrow(UnavailableError);
    } finally {
      await verifier.close();
    }
  });
});

/**
 * A TCP proxy that can stall the change streams passing through it: bytes from the server stop
 * reaching the client while the connection stays open, as a hung proxy or a frozen server would.
 */
class StallingProxy {
  readonly server: Server;
  private stalled = false;
  private readonly streams = new Set<{ client: Socket; held: Buffer[] }>();
  /** Every connection through the proxy: `close` ends them all (a kept-alive one would hold `server.close` for a minute). */
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target: URL) {
    this.server = createServer((client) => this.connect(client));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const address = this.server.address() as { port: number };
    return `http://127.0.0.1:${address.port}`;
  }

  stall(): void {
    this.stalled = true;
  }

  resume(): void {
    this.stalled = false;
    for (const stream of this.streams) for (const chunk of stream.held.splice(0)) stream.client.write(chunk);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private connect(client: Socket): void {
    const server = connect(Number(this.target.port), this.target.hostname);
    const state = { client, held: [] as Buffer[], events: false };
    this.sockets.add(client).add(server);
    client.on("data", (chunk: Buffer) => {
      if (chunk.toString("latin1").startsWith("GET /v1/verifier/events")) {
        state.events = true;
        this.streams.add(state);
      }
      server.write(chunk);
    });
    server.on("data", (chunk: Buffer) => {
      if (state.events && this.stalled) state.held.push(chunk);
      else client.write(chunk);
    });
    const end = () => {
      this.streams.delete(state);
      this.sockets.delete(client);
      this.sockets.delete(server);
      client.destroy();
      server.destroy();
    };
    client.on("close", end);
    server.on("close", end);
    client.on("error", end);
    server.on("error", end);
  }
}

describe("a stalled change stream (the server stops sending without closing)", () => {
  let proxy: StallingProxy;
  let viaProxy: Keyward;

  beforeAll(async () => {
    proxy = new StallingProxy(new URL(service.url));
    viaProxy = new Keyward({ url: await proxy.listen(), token: verifyingToken.secret, maxRetries: 0, dispatcher: agent });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it("stops answering from the snapshot and asks the server over HTTP, then trusts the stream again once it resumes", async () => {
    const { key, secret } = await admin.keys.create({ project: PROJECT, environment: "live", name: "stalled-http", scopes: [] });
    const verifier = await viaProxy.verifier({ project: PROJECT, environment: "live", clock: clock.read, onStale: "http" });
    try {
      await until(() => verifier.verifySync(secret.reveal()).valid);
      proxy.stall();
      await admin.keys.revoke(key.id);
      // The stream cannot carry the revocation: a REVOKED answer can only come from the server over HTTP.
      await until(async () => (await verifier.verify(secret.reveal())).code === "REVOKED");
      expect(verifier.state).toBe("stale");
      expect(() => verifier.verifySync(secret.reveal())).toThrow(UnavailableError);
      proxy.resume();
      await until(() => verifier.state === "live" && verifier.verifySync(secret.reveal()).code === "REVOKED");
    } finally {
      proxy.resume();
      await verifier.close();
    }
  });

  it("with fail-closed, refuses to answer rather than trust the stale snapshot", async () => {
    const { secret } = await admin.keys.create({ project: PROJECT, environment: "live", name: "stalled-closed", scopes: [] });
    const verifier = await viaProxy.verifier({ project: PROJECT, environment: "live", clock: clock.read, onStale: "fail-closed" });
    try {
      await until(() => verifier.verifySync(secret.reveal()).valid);
      proxy.stall();
      await until(async () => (await verifier.verify(secret.reveal()).then(() => false, (error: unknown) => error instanceof UnavailableError)));
      await expect(verifier.verify(secret.reveal())).rejects.toMatchObject({ code: "UNAVAILABLE" });
      proxy.resume();
      await until(() => verifier.verifySync(secret.reveal()).valid);
    } finally {
      proxy.resume();
      await verifier.close();
    }
  });
});
