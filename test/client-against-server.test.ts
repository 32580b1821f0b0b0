// The SDK against a real in-process key service: every method, its answer validated by the
// contract's schemas on the way in, errors typed per code.
import { inspect } from "node:util";
import { BadRequestError, ConflictError, ForbiddenError, Keyward, NotFoundError, Secret, UnauthorizedError } from "@keyward/client";
import { startKeyward } from "@keyward/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let service: Awaited<ReturnType<typeof startKeyward>>;
let keyward: Keyward;

beforeAll(async () => {
  service = await startKeyward();
  keyward = new Keyward({ url: service.url, token: service.rootToken, maxRetries: 0 });
});
afterAll(async () => {
  await service?.close();
});

describe("@keyward/client against the key service", () => {
  it("reports health", async () => {
    expect(await keyward.health()).toEqual({ status: "ok", database: "ok" });
  });

  it("manages projects and walks their pages", async () => {
    for (const name of ["sdk-one", "sdk-two", "sdk-three"]) await keyward.projects.create({ name, description: `project ${name}` });
    const names: string[] = [];
    for await (const project of keyward.projects.list({ limit: 1 })) names.push(project.name);
    expect(names).toEqual(expect.arrayContaining(["sdk-one", "sdk-two", "sdk-three"]));
    const first = await keyward.projects.page({ limit: 1 });
    expect(first.data).toHaveLength(1);
    expect(first.next_cursor).not.toBeNull();
    expect(await keyward.projects.get("sdk-two")).toMatchObject({ name: "sdk-two", description: "project sdk-two" });
    await keyward.projects.delete("sdk-three");
    await expect(keyward.projects.get("sdk-three")).rejects.toBeInstanceOf(NotFoundError);
    await expect(keyward.projects.create({ name: "sdk-one" })).rejects.toBeInstanceOf(ConflictError);
  });

  it("declares scopes, telling creation from update", async () => {
    expect((await keyward.scopes.put("sdk-one", "orders:read", { description: "Read orders" })).created).toBe(true);
    const updated = await keyward.scopes.put("sdk-one", "orders:read", { description: "Read all orders" });
    expect(updated).toMatchObject({ created: false, scope: { description: "Read all orders" } });
    await keyward.scopes.put("sdk-one", "orders:write");
    expect((await keyward.scopes.list("sdk-one").toArray()).map((scope) => scope.name).sort()).toEqual(["orders:read", "orders:write"]);
  });

  it("issues, changes, rotates, rolls back, revokes and deletes a key", async () => {
    const { key, secret } = await keyward.keys.create(
      { project: "sdk-one", environment: "live", name: "worker", scopes: ["orders:read"], rotation: { every: "30d", grace_period: "24h" }, metadata: { team: "orders" } },
      { idempotencyKey: "sdk-create-worker" },
    );
    expect(secret).toBeInstanceOf(Secret);
    expect(inspect({ key, secret })).not.toContain(secret.reveal());
    // The same idempotency key gives the saved answer back: same key, same secret.
    const repeated = await keyward.keys.create({ project: "sdk-one", environment: "live", name: "worker", scopes: ["orders:read"], rotation: { every: "30d", grace_period: "24h" }, metadata: { team: "orders" } }, { idempotencyKey: "sdk-create-worker" });
    expect(repeated.key.id).toBe(key.id);
    expect(repeated.secret.reveal()).toBe(secret.reveal());

    expect(await keyward.verify({ key: secret, scopes: ["orders:read"] })).toMatchObject({ valid: true, code: "VALID", key: { id: key.id, metadata: { team: "orders" } } });
    const widened = await keyward.keys.update(key.id, { scopes: ["orders:read", "orders:write"], expires_at: "2030-01-01T00:00:00Z" });
    expect(widened).toMatchObject({ scopes: ["orders:read", "orders:write"], expires_at: "2030-01-01T00:00:00.000Z" });
    expect((await keyward.keys.update(key.id, { expires_at: null })).expires_at).toBeNull();
    await expect(keyward.scopes.delete("sdk-one", "orders:write")).rejects.toBeInstanceOf(ConflictError);

    const rotated = await keyward.keys.rotate(key.id, { grace_period: "1h" });
    expect(rotated.key.version).toBe(2);
    expect(rotated.previous.version).toBe(1);
    expect((await keyward.verify({ key: secret })).code).toBe("VALID");
    expect((await keyward.verify({ key: rotated.secret })).code).toBe("VALID");
    await keyward.keys.rollback(key.id);
    expect((await keyward.verify({ key: rotated.secret })).code).toBe("REVOKED");
    expect((await keyward.keys.revoke(key.id)).status).toBe("revoked");
    expect((await keyward.verify({ key: secret })).code).toBe("REVOKED");

    const listed = await keyward.keys.list({ project: "sdk-one", environment: "live", status: "revoked" }).toArray();
    expect(listed.map((item) => item.id)).toEqual([key.id]);
    const usage = await keyward.keys.usage(key.id, { granularity: "hour" });
    expect(usage.key_id).toBe(key.id);
    await keyward.keys.delete(key.id);
    await expect(keyward.keys.get(key.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("replays a repeated rollback, revoke or project create instead of failing it, so a retry after a lost answer is safe", async () => {
    await keyward.projects.create({ name: "sdk-retry" }, { idempotencyKey: "sdk-retry-project" });
    expect(await keyward.projects.create({ name: "sdk-retry" }, { idempotencyKey: "sdk-retry-project" })).toMatchObject({ name: "sdk-retry" });
    await keyward.scopes.put("sdk-retry", "jobs:run");
    const { key } = await keyward.keys.create({ project: "sdk-retry", environment: "test", name: "runner", scopes: ["jobs:run"] });
    await keyward.keys.rotate(key.id, { grace_period: "1h" });
    const rolledBack = await keyward.keys.rollback(key.id, { idempotencyKey: "sdk-retry-rollback" });
    expect(await keyward.keys.rollback(key.id, { idempotencyKey: "sdk-retry-rollback" })).toEqual(rolledBack);
    const revoked = await keyward.keys.revoke(key.id, { idempotencyKey: "sdk-retry-revoke" });
    expect(await keyward.keys.revoke(key.id, { idempotencyKey: "sdk-retry-revoke" })).toEqual(revoked);
    const actions = (await keyward.audit.list({ project: "sdk-retry" }).toArray()).map((event) => event.action);
    // One event per operation: the repeats changed nothing.
    for (const action of new Set(actions)) expect(actions.filter((item) => item === action), action).toHaveLength(1);
  });

  it("names the field and the rule of a bad request", async () => {
    const error = await keyward.keys.create({ project: "sdk-one", environment: "live", name: "bad", scopes: [], ip_allowlist: ["10.0.0.0/33"] }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).issues.map((issue) => issue.field)).toContain("body.ip_allowlist[0]");
  });

  it("creates, uses and deletes a management token bound to one project", async () => {
    const { token, secret } = await keyward.tokens.create({ name: "sdk-reader", scopes: ["keys:read"], project: "sdk-two" });
    expect(token).toMatchObject({ name: "sdk-reader", scopes: ["keys:read"], project: "sdk-two" });
    const reader = new Keyward({ url: service.url, token: secret, maxRetries: 0 });
    expect(await reader.keys.list({ project: "sdk-two" }).toArray()).toEqual([]);
    // Another project's keys are invisible: an empty list, exactly as for a project with none (SPEC §10).
    expect(await reader.keys.list({ project: "sdk-one" }).toArray()).toEqual([]);
    await expect(reader.projects.create({ name: "sdk-nope" })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await keyward.tokens.list().toArray()).map((item) => item.id)).toContain(token.id);
    await keyward.tokens.delete(token.id);
    await expect(reader.keys.list({ project: "sdk-two" }).toArray()).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("reads the audit log page by page and checks its chain", async () => {
    const events = await keyward.audit.list({ project: "sdk-one", limit: 2 }).toArray();
    expect(events.length).toBeGreaterThan(4);
    expect(events.map((event) => event.seq)).toEqual([...events.map((event) => event.seq)].sort((a, b) => a - b));
    expect(await keyward.audit.verify()).toMatchObject({ ok: true });
  });
});
