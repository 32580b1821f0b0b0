import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresCluster, startPostgresCluster } from "../../../test/postgres/postgres-cluster";
import { joinKeyward, type StartedKeyward, startKeyward } from "../src/index";

/** SPEC §16 / issue 14 acceptance 4: a per-key rate limit holds across two servers on one PostgreSQL. */
let cluster: PostgresCluster;
let databaseUrl: string;
let first: StartedKeyward;
let second: { url: string; close(): Promise<void> };
const pepper = "pepper-shared-by-both-instances-0123456789";
// Both servers read one fixed instant, 30 s into a minute: the window cannot roll over mid-test.
const clock = () => new Date(Date.UTC(2030, 0, 1, 12, 0, 30));

beforeAll(async () => {
  cluster = await startPostgresCluster();
  databaseUrl = await cluster.createDatabase("rate_limits");
  first = await startKeyward({ databaseUrl, pepper, clock });
  second = await joinKeyward({ databaseUrl, pepper, clock });
});
afterAll(async () => {
  await second?.close();
  await first?.close();
  await cluster?.stop();
});

type Loose = any;

async function call(base: string, method: string, path: string, body?: unknown): Promise<Loose> {
  const answer = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${first.rootToken}`, "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  return answer.json();
}

describe("a rate limit shared by two instances", () => {
  it("allows 100 ± 10 of 400 verifications split across both", async () => {
    await call(first.url, "POST", "/v1/projects", { name: "limited" });
    const created = await call(first.url, "POST", "/v1/keys", {
      project: "limited",
      environment: "live",
      name: "hundred-a-minute",
      scopes: [],
      rate_limit: { requests: 100, window: "1m" },
    });
    const codes: string[] = [];
    // Eight callers at once, alternating between the servers, 50 verifications each.
    await Promise.all(
      [...Array(8)].map(async (_, caller) => {
        for (let i = 0; i < 50; i += 1) {
          const answer = await call(caller % 2 === 0 ? first.url : second.url, "POST", "/v1/verify", { key: created.secret });
          codes.push(answer.code);
        }
      }),
    );
    expect(codes).toHaveLength(400);
    expect(new Set(codes)).toEqual(new Set(["VALID", "RATE_LIMITED"]));
    const valid = codes.filter((code) => code === "VALID").length;
    expect(valid).toBeGreaterThanOrEqual(90);
    expect(valid).toBeLessThanOrEqual(110);
    // The count lives in PostgreSQL, one row for the key's window, claimed in batches.
    const database = new pg.Client({ connectionString: databaseUrl });
    await database.connect();
    const { rows } = await database.query("SELECT key_id, window_start, used FROM rate_limit_windows");
    await database.end();
    expect(rows).toEqual([{ key_id: created.key.id, window_start: String(Date.UTC(2030, 0, 1, 12, 0, 0)), used: expect.any(String) }]);
    expect(Number(rows[0].used)).toBeGreaterThanOrEqual(100);
  });
});
