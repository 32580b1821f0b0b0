import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage } from "./message-codec";
import { providerService } from "./tfplugin6";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("protobuf message codec", () => {
  it("encodes fields by number with proto3 defaults left out", () => {
    const { request } = providerService.ValidateResourceConfig;
    // field 1 (typeName) "ab", field 2 (config) { msgpack: c0 }
    expect(hex(encodeMessage(request, { typeName: "ab", config: { msgpack: Uint8Array.of(0xc0), json: new Uint8Array(0) } }))).toBe("0a02616212030a01c0");
    expect(hex(encodeMessage(request, { typeName: "" }))).toBe("");
  });

  it("round-trips nested, repeated and map fields", () => {
    const { response } = providerService.GetProviderSchema;
    const schema = { version: 1, block: { version: 1, attributes: [{ name: "id", type: Uint8Array.from(Buffer.from('"string"')), computed: true }], description: "d" } };
    const decoded = decodeMessage<Record<string, any>>(response, encodeMessage(response, { resourceSchemas: { toy_a: schema, toy_b: schema }, serverCapabilities: { getProviderSchemaOptional: true } }));
    expect(Object.keys(decoded.resourceSchemas)).toEqual(["toy_a", "toy_b"]);
    expect(decoded.resourceSchemas.toy_a.block.attributes[0]).toMatchObject({ name: "id", computed: true, required: false });
    expect(Buffer.from(decoded.resourceSchemas.toy_a.block.attributes[0].type).toString()).toBe('"string"');
    expect(decoded.serverCapabilities).toMatchObject({ getProviderSchemaOptional: true, planDestroy: false });
    expect(decoded.diagnostics).toEqual([]);
  });

  it("round-trips lengths and numbers of one to ten varint bytes", () => {
    const { request } = providerService.ValidateResourceConfig;
    for (const size of [0, 1, 127, 128, 300, 16_383, 16_384, 2_097_152]) {
      const typeName = "x".repeat(size);
      expect(decodeMessage<Record<string, unknown>>(request, encodeMessage(request, { typeName })).typeName).toBe(typeName);
    }
    const { response } = providerService.GetProviderSchema;
    for (const version of [1, 127, 128, 2 ** 31 - 1, 2 ** 31, 2 ** 53 - 1, -1, -(2 ** 40)]) {
      const encoded = encodeMessage(response, { provider: { version, block: { version: 0, attributes: [] } } });
      expect(Number((decodeMessage<Record<string, any>>(response, encoded).provider as { version: number }).version)).toBe(version);
    }
  });

  it("keeps a oneof member that holds its default value (list index 0)", () => {
    const { response } = providerService.PlanResourceChange;
    const encoded = encodeMessage(response, { requiresReplace: [{ steps: [{ attributeName: "scopes" }, { elementKeyInt: 0 }] }] });
    const decoded = decodeMessage<Record<string, any>>(response, encoded);
    expect(decoded.requiresReplace[0].steps[1]).toEqual({ elementKeyInt: 0 });
  });

  it("skips fields it does not know, of every wire type", () => {
    const { request } = providerService.ImportResourceState;
    // field 9 varint 1, field 10 fixed64, field 11 fixed32, then field 2 (id) "x"
    const bytes = Buffer.from("4801" + "51" + "0000000000000000" + "5d" + "00000000" + "12" + "0178", "hex");
    expect(decodeMessage(request, bytes)).toEqual({ typeName: "", id: "x" });
  });

  it("reads negative int64 values and rejects truncated input", () => {
    const { request } = providerService.UpgradeResourceState;
    const negative = encodeMessage(request, { version: -1 });
    expect(negative.length).toBe(11);
    expect(decodeMessage<Record<string, unknown>>(request, negative).version).toBe(-1);
    expect(() => decodeMessage(request, Buffer.from("0a05ab", "hex"))).toThrow(/truncated/);
  });

  it("writes strings of any UTF-8 as their bytes, and reads them back, in messages larger than the writer's first buffer", () => {
    const { request } = providerService.ValidateResourceConfig;
    const typeName = "ключ-🔑-".repeat(100);
    const encoded = encodeMessage(request, { typeName });
    // field 1, length-delimited, 1,400 bytes (varint f8 0a)
    expect(hex(encoded.subarray(0, 3))).toBe("0af80a");
    expect(Buffer.from(encoded.subarray(3)).toString("utf8")).toBe(typeName);
    expect(decodeMessage<Record<string, unknown>>(request, encoded).typeName).toBe(typeName);
  });

  it("decodes bytes fields as copies, which a later change of the input buffer leaves alone", () => {
    const { request } = providerService.ValidateResourceConfig;
    const input = Buffer.from(encodeMessage(request, { typeName: "t", config: { msgpack: Uint8Array.of(0x81, 0xa1, 0x61, 0xc0), json: new Uint8Array(0) } }));
    const decoded = decodeMessage<{ config: { msgpack: Uint8Array } }>(request, input);
    input.fill(0);
    expect([...decoded.config.msgpack]).toEqual([0x81, 0xa1, 0x61, 0xc0]);
    expect(decoded.config.msgpack).not.toBeInstanceOf(Buffer);
  });
});
