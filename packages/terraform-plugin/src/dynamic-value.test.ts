import { encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { cty, type CtyType } from "./cty-type";
import { conform, decodeDynamicValue, decodeRawStateJson, encodeDynamicValue } from "./dynamic-value";
import { UNKNOWN } from "./value";

const type: CtyType = cty.object({
  name: cty.string,
  count: cty.number,
  enabled: cty.bool,
  tags: cty.set(cty.string),
  labels: cty.map(cty.string),
  rotation: cty.object({ every: cty.string, grace_period: cty.string }),
});
const msgpack = (bytes: Uint8Array) => ({ msgpack: bytes, json: new Uint8Array(0) });
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("DynamicValue codec", () => {
  it("reads every attribute, filling the absent ones with null", () => {
    const value = decodeDynamicValue(msgpack(encode({ name: "a", count: 3, tags: ["x"] })), type);
    expect(value).toEqual({ name: "a", count: 3, enabled: null, tags: ["x"], labels: null, rotation: null });
  });

  it("reads any extension as unknown, including refined unknowns (type 12)", () => {
    // {"name": <fixext1 type 0>, "count": <ext8 type 12 with a map payload>}
    const bytes = Buffer.from("82" + "a46e616d65" + "d40000" + "a5636f756e74" + "c7030c" + "810102", "hex");
    expect(decodeDynamicValue(msgpack(bytes), type)).toMatchObject({ name: UNKNOWN, count: UNKNOWN });
  });

  it("reads numbers sent as int, float, 64-bit int or decimal string", () => {
    const numbers = cty.list(cty.number);
    const bytes = Buffer.concat([Buffer.from("94", "hex"), encode(7), encode(1.5), Buffer.from("cf0000000100000000", "hex"), encode("12.25")]);
    expect(decodeDynamicValue(msgpack(bytes), numbers)).toEqual([7, 1.5, 2 ** 32, 12.25]);
  });

  it("writes unknown as fixext1 type 0 and never as a refinement", () => {
    const encoded = encodeDynamicValue(UNKNOWN, cty.string);
    expect(hex(encoded.msgpack)).toBe("d40000");
  });

  it("writes objects with every attribute, integers as ints and fractions as floats", () => {
    const encoded = encodeDynamicValue({ name: "a", count: 2 }, cty.object({ name: cty.string, count: cty.number, ratio: cty.number }));
    expect(hex(encoded.msgpack)).toBe("83" + "a46e616d65a161" + "a5636f756e7402" + "a5726174696fc0");
    expect(hex(encodeDynamicValue(0.5, cty.number).msgpack)).toBe("cb3fe0000000000000");
  });

  it("round-trips nested objects, maps, sets and unknowns", () => {
    const value = { name: "n", count: 1, enabled: true, tags: ["b", "a"], labels: { team: "x" }, rotation: { every: "30d", grace_period: UNKNOWN } };
    expect(decodeDynamicValue(encodeDynamicValue(value, type), type)).toEqual(value);
  });

  it("reads JSON state for UpgradeResourceState and drops attributes the schema no longer has", () => {
    const json = Buffer.from(JSON.stringify({ name: "a", count: 1, removed: "x" }));
    expect(decodeRawStateJson(json, type)).toEqual({ name: "a", count: 1, enabled: null, tags: null, labels: null, rotation: null });
  });

  it("reads JSON held in a part of a larger buffer (a field of a decoded request), and JSON DynamicValues, as just those bytes", () => {
    const text = JSON.stringify({ name: "é", count: 2 });
    const whole = Buffer.from(`xx${text}yy`);
    const part = new Uint8Array(whole.buffer, whole.byteOffset + 2, Buffer.byteLength(text));
    expect(decodeRawStateJson(part, type)).toMatchObject({ name: "é", count: 2 });
    expect(decodeDynamicValue({ msgpack: new Uint8Array(0), json: part }, type)).toMatchObject({ name: "é", count: 2 });
  });

  it("rejects a value of the wrong type, naming where", () => {
    expect(() => conform({ rotation: { every: 5 } }, type)).toThrow("expected a string at rotation.every");
    expect(() => conform({ tags: ["a", 7] }, type)).toThrow("expected a string at tags[1]");
    expect(() => conform({ labels: { "a.b": true } }, type)).toThrow('expected a string at labels["a.b"]');
    expect(() => conform({ count: "many" }, type)).toThrow("expected a number at count");
    expect(() => conform([{ every: [] }], ["list", ["object", { every: "string" }]], "rules")).toThrow("expected a string at rules[0].every");
    expect(() => conform("x", type)).toThrow("expected an object at the root");
  });
});
