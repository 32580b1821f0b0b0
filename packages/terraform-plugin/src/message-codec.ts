/**
 * A protobuf (proto3) wire codec driven by hand-written message descriptors (see `tfplugin6.ts`).
 * No `.proto` parsing and no code generation at runtime: Terraform starts the provider 3–4 times per
 * command, so every millisecond of module loading counts. Only the field kinds the plugin protocol
 * uses are supported.
 */
export type ScalarKind = "string" | "bytes" | "bool" | "int64" | "enum";
export type FieldKind = ScalarKind | MessageDescriptor;

export interface FieldDescriptor {
  readonly name: string;
  readonly number: number;
  readonly kind: FieldKind;
  readonly repeated?: boolean;
  /** `map<string, kind>`: repeated entries `{1: key, 2: value}`, exposed as a plain object. */
  readonly map?: boolean;
  /** A oneof member or `optional`: encoded even when it holds the default value. */
  readonly presence?: boolean;
}

export interface MessageDescriptor {
  readonly name: string;
  /** A thunk so descriptors can refer to each other in any order. */
  readonly fields: () => readonly FieldDescriptor[];
}

export type Message = Record<string, unknown>;

export function message(name: string, fields: () => readonly FieldDescriptor[]): MessageDescriptor {
  return { name, fields };
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/**
 * What encoding and decoding need of a descriptor, worked out once per descriptor rather than per
 * message (issue 14: a plan of 200 resources codes some 1,600 messages): its fields, by number,
 * and the descriptor of each map field's entries.
 */
interface CompiledDescriptor {
  readonly fields: readonly FieldDescriptor[];
  readonly byNumber: ReadonlyMap<number, FieldDescriptor>;
  readonly mapEntries: ReadonlyMap<FieldDescriptor, MessageDescriptor>;
}

const compiledDescriptors = new WeakMap<MessageDescriptor, CompiledDescriptor>();

function compiled(descriptor: MessageDescriptor): CompiledDescriptor {
  let found = compiledDescriptors.get(descriptor);
  if (!found) {
    const fields = descriptor.fields();
    found = {
      fields,
      byNumber: new Map(fields.map((field) => [field.number, field])),
      mapEntries: new Map(fields.filter((field) => field.map).map((field) => [field, mapEntryDescriptor(field.kind)])),
    };
    compiledDescriptors.set(descriptor, found);
  }
  return found;
}

/** Numbers up to this are written with float arithmetic; larger, negative or bigint values through BigInt. */
const MAX_PLAIN_VARINT = Number.MAX_SAFE_INTEGER;

class Writer {
  private bytes = Buffer.allocUnsafe(256);
  private length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + extra));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }

  varint(value: number | bigint): void {
    this.ensure(10);
    if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_PLAIN_VARINT) {
      let rest = value;
      while (rest >= 0x80) {
        this.bytes[this.length++] = (rest % 0x80) | 0x80;
        rest = Math.floor(rest / 0x80);
      }
      this.bytes[this.length++] = rest;
      return;
    }
    let rest = BigInt.asUintN(64, BigInt(value));
    while (rest >= 0x80n) {
      this.bytes[this.length++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.bytes[this.length++] = Number(rest);
  }

  tag(fieldNumber: number, wireType: number): void {
    this.varint((fieldNumber << 3) | wireType);
  }

  lengthDelimited(bytes: Uint8Array): void {
    this.varint(bytes.length);
    this.ensure(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }

  string(text: string): void {
    const size = Buffer.byteLength(text, "utf8");
    this.varint(size);
    this.ensure(size);
    this.length += this.bytes.write(text, this.length, size, "utf8");
  }

  finish(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

function isDefault(kind: FieldKind, value: unknown): boolean {
  if (typeof kind !== "string") return false;
  if (kind === "string") return value === "";
  if (kind === "bytes") return (value as Uint8Array).length === 0;
  if (kind === "bool") return value === false;
  return value === 0 || value === 0n;
}

function writeValue(writer: Writer, fieldNumber: number, kind: FieldKind, value: unknown): void {
  if (typeof kind !== "string") {
    writer.tag(fieldNumber, WIRE_LENGTH_DELIMITED);
    writer.lengthDelimited(encodeMessage(kind, value as Message));
    return;
  }
  switch (kind) {
    case "string":
      writer.tag(fieldNumber, WIRE_LENGTH_DELIMITED);
      writer.string(value as string);
      return;
    case "bytes":
      writer.tag(fieldNumber, WIRE_LENGTH_DELIMITED);
      writer.lengthDelimited(value as Uint8Array);
      return;
    case "bool":
      writer.tag(fieldNumber, WIRE_VARINT);
      writer.varint(value ? 1 : 0);
      return;
    case "int64":
    case "enum":
      writer.tag(fieldNumber, WIRE_VARINT);
      writer.varint(value as number | bigint);
      return;
  }
}

function mapEntryDescriptor(kind: FieldKind): MessageDescriptor {
  return message("MapEntry", () => [
    { name: "key", number: 1, kind: "string" },
    { name: "value", number: 2, kind, presence: true },
  ]);
}

export function encodeMessage(descriptor: MessageDescriptor, value: Message): Uint8Array {
  const writer = new Writer();
  const { fields, mapEntries } = compiled(descriptor);
  for (const field of fields) {
    const fieldValue = value[field.name];
    if (fieldValue === undefined || fieldValue === null) continue;
    if (field.map) {
      const entry = mapEntries.get(field)!;
      for (const [key, item] of Object.entries(fieldValue as Record<string, unknown>)) {
        writeValue(writer, field.number, entry, { key, value: item });
      }
      continue;
    }
    if (field.repeated) {
      for (const item of fieldValue as unknown[]) writeValue(writer, field.number, field.kind, item);
      continue;
    }
    if (!field.presence && isDefault(field.kind, fieldValue)) continue;
    writeValue(writer, field.number, field.kind, fieldValue);
  }
  return writer.finish();
}

class Reader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  /** A varint of up to 4 bytes (below 2^28, every tag and length here) as a number; longer ones through BigInt. */
  number(): number {
    const bytes = this.bytes;
    let result = 0;
    for (let index = 0; index < 4; index++) {
      const byte = bytes[this.offset + index];
      if (byte === undefined) throw new Error("protobuf: truncated varint");
      result += (byte & 0x7f) * 2 ** (7 * index);
      if ((byte & 0x80) === 0) {
        this.offset += index + 1;
        return result;
      }
    }
    return Number(this.varint());
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = this.bytes[this.offset++];
      if (byte === undefined) throw new Error("protobuf: truncated varint");
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
    throw new Error("protobuf: varint longer than 10 bytes");
  }

  /** An int64 or enum: two's complement over 64 bits. */
  int64(): number {
    const start = this.offset;
    const small = this.number();
    // Four bytes or fewer: a small non-negative value; otherwise re-read it whole as 64 bits.
    if (this.offset - start <= 4) return small;
    this.offset = start;
    return Number(BigInt.asIntN(64, this.varint()));
  }

  take(length: number): Uint8Array {
    if (this.offset + length > this.bytes.length) throw new Error("protobuf: truncated field");
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }

  skip(wireType: number): void {
    if (wireType === WIRE_VARINT) this.varint();
    else if (wireType === WIRE_FIXED64) this.take(8);
    else if (wireType === WIRE_LENGTH_DELIMITED) this.take(this.number());
    else if (wireType === WIRE_FIXED32) this.take(4);
    else throw new Error(`protobuf: unsupported wire type ${wireType}`);
  }
}

function defaultValue(field: FieldDescriptor): unknown {
  if (field.map) return {};
  if (field.repeated) return [];
  if (typeof field.kind !== "string" || field.presence) return undefined;
  if (field.kind === "string") return "";
  if (field.kind === "bytes") return new Uint8Array(0);
  if (field.kind === "bool") return false;
  return 0;
}

function readValue(reader: Reader, kind: FieldKind): unknown {
  if (typeof kind !== "string") return decodeMessage(kind, reader.take(reader.number()));
  switch (kind) {
    case "string": {
      const bytes = reader.take(reader.number());
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    }
    case "bytes":
      // A copy: the value outlives the request's buffer.
      return new Uint8Array(reader.take(reader.number()));
    case "bool":
      return reader.varint() !== 0n;
    case "int64":
    case "enum":
      return reader.int64();
  }
}

export function decodeMessage<T = Message>(descriptor: MessageDescriptor, bytes: Uint8Array): T {
  const { fields, byNumber, mapEntries } = compiled(descriptor);
  const result: Message = {};
  for (const field of fields) {
    const initial = defaultValue(field);
    if (initial !== undefined) result[field.name] = initial;
  }
  const reader = new Reader(bytes);
  while (!reader.done) {
    const tag = reader.number();
    const field = byNumber.get(tag >>> 3);
    const wireType = tag & 7;
    if (!field) {
      reader.skip(wireType);
      continue;
    }
    if (field.map) {
      const entry = readValue(reader, mapEntries.get(field)!) as { key: string; value: unknown };
      (result[field.name] as Record<string, unknown>)[entry.key] = entry.value;
    } else if (field.repeated) {
      (result[field.name] as unknown[]).push(readValue(reader, field.kind));
    } else {
      result[field.name] = readValue(reader, field.kind);
    }
  }
  return result as T;
}
