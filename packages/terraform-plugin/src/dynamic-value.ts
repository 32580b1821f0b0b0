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

/**
 * A value that does not fit its type, thrown from deep inside `conform` and given its path on the
 * way out: the path is built only for a value that does not fit, not for every attribute of every
 * value Terraform sends (issue 14: a plan of 200 keys conforms some thousand values).
 */
class Misfit {
  readonly segments: string[] = [];
  constructor(readonly expected: string) {}
}

function toNumber(raw: unknown): number {
  if (typeof raw === "number") return raw;
  if (typeof raw === "bigint") return Number(raw);
  // cty sends numbers that do not fit a float64 as decimal strings.
  if (typeof raw === "string" && raw.trim() !== "" && !Number.isNaN(Number(raw))) return Number(raw);
  throw new Misfit("a number");
}

/** Where a part sits in its value: an attribute, a list or set index, or a map key. */
type Segment = { readonly attribute: string } | { readonly index: number } | { readonly key: string };

function segmentText(segment: Segment): string {
  if ("attribute" in segment) return `.${segment.attribute}`;
  if ("index" in segment) return `[${segment.index}]`;
  return `[${JSON.stringify(segment.key)}]`;
}

/** `conformValue` of a part of a value, whose segment is named only should the part not fit. */
function conformPart(raw: unknown, type: CtyType, segment: () => Segment): Value {
  try {
    return conformValue(raw, type);
  } catch (error) {
    if (error instanceof Misfit) error.segments.push(segmentText(segment()));
    throw error;
  }
}

function conformValue(raw: unknown, type: CtyType): Value {
  if (raw === null || raw === undefined) return null;
  if (raw instanceof ExtData || isUnknown(raw)) return UNKNOWN;
  if (type === "dynamic") return raw as Value;
  if (type === "string") {
    if (typeof raw !== "string") throw new Misfit("a string");
    return raw;
  }
  if (type === "number") return toNumber(raw);
  if (type === "bool") {
    if (typeof raw !== "boolean") throw new Misfit("a bool");
    return raw;
  }
  const [kind, element] = type;
  if (kind === "list" || kind === "set") {
    if (!Array.isArray(raw)) throw new Misfit(`a ${kind}`);
    const items: Value[] = [];
    for (let index = 0; index < raw.length; index++) {
      const item: unknown = raw[index];
      items.push(item === null || item === undefined ? null : conformPart(item, element, () => ({ index })));
    }
    return items;
  }
  if (typeof raw !== "object" || Array.isArray(raw)) throw new Misfit(kind === "map" ? "a map" : "an object");
  const source = raw as Record<string, unknown>;
  const result: ObjectValue = {};
  if (kind === "map") {
    for (const key of Object.keys(source)) result[key] = conformPart(source[key], element, () => ({ key }));
    return result;
  }
  for (const attribute in element) {
    const item = source[attribute];
    const attributeType = element[attribute] as CtyType;
    // Strings and nulls, most of any state, need no frame of their own.
    result[attribute] = item === null || item === undefined ? null : attributeType === "string" && typeof item === "string" ? item : conformPart(item, attributeType, () => ({ attribute }));
  }
  return result;
}

/** Shapes decoded (or hand-built) data into `type`: fills absent attributes with null. */
export function conform(raw: unknown, type: CtyType, path = ""): Value {
  try {
    return conformValue(raw, type);
  } catch (error) {
    if (!(error instanceof Misfit)) throw error;
    const inner = error.segments.reverse().join("");
    throw new ValueTypeError(error.expected, `${path}${inner}`.replace(/^\./, ""));
  }
}

export function decodeDynamicValue(dynamicValue: DynamicValue | undefined, type: CtyType): Value {
  if (!dynamicValue) return null;
  if (dynamicValue.msgpack.length > 0) return conform(decoder.decode(dynamicValue.msgpack), type);
  if (dynamicValue.json.length > 0) return conform(JSON.parse(utf8Text(dynamicValue.json)), type);
  return null;
}

export function encodeDynamicValue(value: Value, type: CtyType): DynamicValue {
  return { msgpack: encoder.encode(conform(value, type)), json: new Uint8Array(0) };
}

/** UTF-8 bytes as text, read in place rather than copied first. */
function utf8Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}

/** `RawState.json` of UpgradeResourceState: the state as Terraform stored it, in JSON. */
export function decodeRawStateJson(json: Uint8Array, type: CtyType): Value {
  return conform(JSON.parse(utf8Text(json)), type);
}
