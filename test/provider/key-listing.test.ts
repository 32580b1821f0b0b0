import { Keyward } from "@keyward/client";
import { Agent, type Dispatcher } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { KeyListing } from "../../packages/provider/src/key-listing";
import { startKeyward } from "../../packages/server/src/index";

/** Records each request's method and path (with its query) on the way out. */
class CountingAgent extends Agent {
  readonly requests: string[] = [];
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.requests.push(`${options.method} ${String(options.path)}`);
    return super.dispatch(options, handler);
  }
}

let service: Awaited<ReturnType<typeof startKeyward>>;
let admin: Keyward;
let agent: CountingAgent;
let listing: KeyListing;
const ids: string[] = [];
const where = { project: "listing-api", environment: "test" };

beforeAll(async () => {
  service = await startKeyward();
  admin = new Keyward({ url: service.url, token: service.rootToken });
  await admin.projects.create({ name: where.project });
  await admin.scopes.put(where.project, "read", {});
  // More than one page (100), so the listing follows the cursor.
  for (let index = 0; index < 103; index++) {
    const { key } = await admin.keys.create({ project: where.project, environment: "test", name: `key-${index}`, scopes: ["read"] });
    ids.push(key.id);
  }
  await admin.keys.create({ project: where.project, environment: "live", name: "live-key", scopes: ["read"] });
}, 120_000);
afterAll(async () => {
  await service.close();
});
beforeEach(() => {
  agent = new CountingAgent();
  listing = new KeyListing(new Keyward({ url: service.url, token: service.rootToken, dispatcher: agent }));
});

describe("reading keys through the listing", () => {
  it("reads many keys of one environment with one request per page, and answers what a read by id answers", async () => {
    const read = await Promise.all(ids.map((id) => listing.read(id, where)));
    expect(agent.requests).toHaveLength(2);
    expect(agent.requests.every((request) => request.startsWith("GET /v1/keys?"))).toBe(true);
    expect(agent.requests[0]).toContain("project=listing-api");
    expect(agent.requests[0]).toContain("environment=test");
    expect(read.map((key) => key?.id)).toEqual(ids);
    // A read by id also shows the previous secret's use (SPEC §18), which a listing leaves out and Terraform does not keep.
    const { previous: _previous, ...byId } = await admin.keys.get(ids[5]!);
    expect(read[5]).toEqual(byId);
  });

  it("reads a key missing from the listing by id: one created since is found, one deleted is gone", async () => {
    await listing.read(ids[0]!, where);
    const { key: created } = await admin.keys.create({ project: where.project, environment: "test", name: "created-later", scopes: ["read"] });
    await admin.keys.delete(ids[1]!);
    agent.requests.length = 0;
    expect((await listing.read(created.id, where))?.name).toBe("created-later");
    expect(agent.requests).toEqual([`GET /v1/keys/${created.id}`]);
    // Listed before it was deleted: still answered from the listing, as a read before the delete would have.
    expect((await listing.read(ids[1]!, where))?.id).toBe(ids[1]);
    listing.forget(where);
    const afterForget = await listing.read(ids[1]!, where);
    expect(afterForget).toEqual(await admin.keys.get(ids[1]!).catch(() => undefined));
    expect(await listing.read("key_00000000000000000000", where)).toBeUndefined();
  });

  it("lists afresh after forget, and lists each environment on its own", async () => {
    await listing.read(ids[2]!, where);
    const before = agent.requests.length;
    await listing.read(ids[3]!, where);
    expect(agent.requests.length).toBe(before);
    listing.forget(where);
    await listing.read(ids[3]!, where);
    expect(agent.requests.length).toBeGreaterThan(before);
    const live = await admin.keys.list({ project: where.project, environment: "live" }).toArray();
    agent.requests.length = 0;
    expect((await listing.read(live[0]!.id, { project: where.project, environment: "live" }))?.name).toBe("live-key");
    expect(agent.requests).toHaveLength(1);
    expect(agent.requests[0]).toContain("environment=live");
  });
});
