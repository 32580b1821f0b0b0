/**
 * One-dimensional arrays in PostgreSQL's binary wire format (`array_recv`), as statement parameters.
 * Both drivers send a Buffer parameter as binary, and the server then reads each element as it is
 * stored instead of parsing its text: for the usage flush's thousands of rows, parsing text arrays
 * (a timestamp's text most of all) cost the embedded database about a fifth of the statement.
 * The element type must match the parameter's cast (`$1::text[]`), or the server refuses the array.
 */

/** Element type OIDs: fixed in every PostgreSQL (`pg_type.dat`). */
const TEXT_OID = 25;
const INTEGER_OID = 23;
const TIMESTAMPTZ_OID = 1184;
/** The binary format counts time in microseconds since 2000-01-01 UTC. */
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_TO_32 = 2 ** 32;
/** Dimensions, null flag, element type, then length and lower bound of the one dimension. */
const HEADER_BYTES = 20;

export function textArray(values: readonly (string | null)[]): Buffer {
  return encode(TEXT_OID, values, (value) => Buffer.byteLength(value), (buffer, offset, value) => buffer.write(value, offset, "utf8"));
}

export function integerArray(values: readonly (number | null)[]): Buffer {
  return encode(INTEGER_OID, values, () => 4, (buffer, offset, value) => buffer.writeInt32BE(value, offset));
}

/** Millisecond times, as a JavaScript Date holds them (the binary format would hold microseconds). */
export function timestamptzArray(values: readonly (Date | null)[]): Buffer {
  return encode(TIMESTAMPTZ_OID, values, () => 8, (buffer, offset, value) => {
    const microseconds = (value.getTime() - POSTGRES_EPOCH_MS) * 1000;
    const high = Math.floor(microseconds / TWO_TO_32);
    buffer.writeInt32BE(high, offset);
    buffer.writeUInt32BE(microseconds - high * TWO_TO_32, offset + 4);
  });
}

function encode<T>(oid: number, values: readonly (T | null)[], sizeOf: (value: T) => number, write: (buffer: Buffer, offset: number, value: T) => void): Buffer {
  if (values.length === 0) return emptyArray(oid);
  let bytes = HEADER_BYTES;
  let hasNull = false;
  for (const value of values) {
    bytes += 4;
    if (value === null) hasNull = true;
    else bytes += sizeOf(value);
  }
  const buffer = Buffer.allocUnsafe(bytes);
  buffer.writeInt32BE(1, 0);
  buffer.writeInt32BE(hasNull ? 1 : 0, 4);
  buffer.writeInt32BE(oid, 8);
  buffer.writeInt32BE(values.length, 12);
  buffer.writeInt32BE(1, 16);
  let offset = HEADER_BYTES;
  for (const value of values) {
    if (value === null) {
      buffer.writeInt32BE(-1, offset);
      offset += 4;
      continue;
    }
    const size = sizeOf(value);
    buffer.writeInt32BE(size, offset);
    write(buffer, offset + 4, value);
    offset += 4 + size;
  }
  return buffer;
}

/** No dimensions at all: how the server itself sends an empty array. */
function emptyArray(oid: number): Buffer {
  const buffer = Buffer.alloc(12);
  buffer.writeInt32BE(oid, 8);
  return buffer;
}
