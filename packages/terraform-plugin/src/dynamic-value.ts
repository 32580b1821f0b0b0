import { Decoder, Encoder, ExtData, ExtensionCodec } from "@msgpack/msgpack";
import type { CtyType } from "./cty-type";
import type { DynamicValue } from "./tfplugin6";
import { isUnknown, UNKNOWN, Unknown, type ObjectValue, type Value } from "./value";

/**
 * DynamicValue ⇄ `Value`, per Terraform's object wire format (`object-wire-format.md`): msgpack
 * with every attribute of an object present, nil for null, arrays for lists and sets, and an
 * extension for unknown. Terraform marks unknown with extension type 0 and refined unknowns with
 * type 12; any extension is read as unknown, and only the plain type 0 is ever written (type 12
 * with an empty payload is rejected by Terraform).
 */
const UNKNOWN_EXTENSION = 0;

const extensions = new ExtensionCodec();
extensions.register({
  type: UNKNOWN_EXTENSION,
  encode: (input) => (input instanceof Unknown ? Uint8Array.of(0) : null),
  decode: () => UNKNOWN,
});

const encoder = new Encoder({ extensionCodec: extensions, ignoreUndefined: false });
const decoder = new Decoder({ extensionCodec: extensions, useBigInt64: true });

export class ValueTypeError extends Error {
  constructor(expected: string, path: string) {
    super(`expected ${expected} at ${path || "the root"}`);
    this.name = "ValueTypeError";
  }
}

function toNumber(raw: unknown, path: string): number {
  if (typeof raw === "number") return raw;
  if (typeof raw === "bigint") return Number(raw);
  // cty sends numbers that do not fit a float64 as decimal strings.
  if (typeof raw === "string" && raw.trim() !== "" && !Number.isNaN(Number(raw))) return Number(raw);
  throw new ValueTypeError("a number", path);
}

/** Shapes decoded (or hand-built) data into `type`: fills absent attributes with null. */
export function conform(raw: unknown, type: CtyType, path = ""): Value {
  if (raw === null || raw === undefined) return null;
  if (raw instanceof ExtData || isUnknown(raw)) return UNKNOWN;
  if (type === "dynamic") return raw as Value;
  if (type === "string") {
    if (typeof raw !== "string") throw new ValueTypeError("a string", path);
    return raw;
  }
  if (type === "number") return toNumber(raw, path);
  if (type === "bool") {
    if (typeof raw !== "boolean") throw new ValueTypeError("a bool", path);
    return raw;
  }
  const [kind, element] = type;
  if (kind === "list" || kind === "set") {
    if (!Array.isArray(raw)) throw new ValueTypeError(`a ${kind}`, path);
    return raw.map((item, index) => conform(item, element, `${path}[${index}]`));
  }
  if (typeof raw !== "object" || Array.isArray(raw)) throw new ValueTypeError(kind === "map" ? "a map" : "an object", path);
  const source = raw as Record<string, unknown>;
  const result: ObjectValue = {};
  if (kind === "map") {
    for (const [key, item] of Object.entries(source)) result[key] = conform(item, element, `${path}[${JSON.stringify(key)}]`);
    return result;
  }
  for (const [attribute, attributeType] of Object.entries(element)) {
    result[attribute] = conform(source[attribute], attributeType, path ? `${path}.${attribute}` : attribute);
  }
  return result;
}

export function decodeDynamicValue(dynamicValue: DynamicValue | undefined, type: CtyType): Value {
  if (!dynamicValue) return null;
  if (dynamicValue.msgpack.length > 0) return conform(decoder.decode(dynamicValue.msgpack), type);
  if (dynamicValue.json.length > 0) return conform(JSON.parse(Buffer.from(dynamicValue.json).toString("utf8")), type);
  return null;
}

export function encodeDynamicValue(value: Value, type: CtyType): DynamicValue {
  return { msgpack: encoder.encode(conform(value, type)), json: new Uint8Array(0) };
}

/** `RawState.json` of UpgradeResourceState: the state as Terraform stored it, in JSON. */
export function decodeRawStateJson(json: Uint8Array, type: CtyType): Value {
  return conform(JSON.parse(Buffer.from(json).toString("utf8")), type);
}
