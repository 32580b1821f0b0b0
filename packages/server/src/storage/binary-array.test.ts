import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bothBackends } from "../../test/storage-backends";
import { integerArray, textArray, timestamptzArray } from "./binary-array";
import type { Storage } from "./storage";

const { backends } = bothBackends();

describe.each(backends)("binary array parameters on $name", ({ name, open }) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await open(`binary_array_${name.toLowerCase()}`);
  });
  afterAll(async () => {
    await storage?.close();
  });

  const read = (cast: string, array: Buffer) =>
    storage.database.query<{ value: unknown; ordinal: number }>(`SELECT u.value::text AS value, u.ordinal::integer AS ordinal FROM unnest($1::${cast}) WITH ORDINALITY AS u (value, ordinal) ORDER BY 2`, [array]);
  const values = (rows: { value: unknown }[]) => rows.map((row) => row.value);

  it("reads text as written, nulls and characters beyond ASCII too", async () => {
    expect(values(await read("text[]", textArray(["key_a", null, "", "grüße 😀", 'quo"te\\'])))).toEqual(["key_a", null, "", "grüße 😀", 'quo"te\\']);
  });

  it("reads integers as written, negative ones and nulls too", async () => {
    expect(values(await read("integer[]", integerArray([0, 1, null, -7, 2_147_483_647, -2_147_483_648])))).toEqual(["0", "1", null, "-7", "2147483647", "-2147483648"]);
  });

  it("reads times to the millisecond, before 2000 and far after it too", async () => {
    const times = [new Date("2026-03-01T10:00:00.123Z"), null, new Date("1999-12-31T23:59:59.999Z"), new Date("1970-01-01T00:00:00.000Z"), new Date("2200-06-30T12:34:56.789Z")];
    const rows = await storage.database.query<{ at: string | null }>("SELECT to_char(u.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS at FROM unnest($1::timestamptz[]) WITH ORDINALITY AS u (at, ordinal) ORDER BY u.ordinal", [timestamptzArray(times)]);
    expect(rows.map((row) => row.at)).toEqual(times.map((time) => time?.toISOString() ?? null));
  });

  it("reads an empty array as empty", async () => {
    expect(await read("text[]", textArray([]))).toEqual([]);
    const [row] = await storage.database.query<{ length: number | null }>("SELECT cardinality($1::integer[]) AS length", [integerArray([])]);
    expect(row?.length).toBe(0);
  });

  it("is refused where the parameter's element type is another", async () => {
    await expect(storage.database.query("SELECT cardinality($1::integer[]) AS length", [textArray(["1"])])).rejects.toThrow();
  });
});
