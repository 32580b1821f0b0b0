/**
 * The few ASN.1 DER encodings an X.509 certificate needs (ITU-T X.690). Node can sign and export
 * keys but cannot build certificates, and a full ASN.1 library costs startup time on every one of
 * the 3–4 launches Terraform makes per command.
 */
export type Der = Uint8Array;

function lengthOctets(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function tagged(tag: number, content: Uint8Array): Der {
  return Buffer.concat([Uint8Array.from([tag, ...lengthOctets(content.length)]), content]);
}

export const der = {
  sequence: (...items: Der[]): Der => tagged(0x30, Buffer.concat(items)),
  set: (...items: Der[]): Der => tagged(0x31, Buffer.concat(items)),
  boolean: (value: boolean): Der => tagged(0x01, Uint8Array.of(value ? 0xff : 0x00)),
  /** A non-negative integer given as big-endian bytes. */
  unsignedInteger(bytes: Uint8Array): Der {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const trimmed = bytes.subarray(start);
    const needsPad = (trimmed[0] ?? 0) & 0x80;
    return tagged(0x02, needsPad ? Buffer.concat([Uint8Array.of(0), trimmed]) : trimmed);
  },
  smallInteger: (value: number): Der => der.unsignedInteger(Uint8Array.of(value)),
  objectIdentifier(dotted: string): Der {
    const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number);
    const octets = [first * 40 + second];
    for (const arc of rest) {
      const base128: number[] = [arc & 0x7f];
      for (let value = arc >>> 7; value > 0; value >>>= 7) base128.unshift(0x80 | (value & 0x7f));
      octets.push(...base128);
    }
    return tagged(0x06, Uint8Array.from(octets));
  },
  utf8String: (text: string): Der => tagged(0x0c, Buffer.from(text, "utf8")),
  /** GeneralizedTime is valid for every year, unlike UTCTime; RFC 5280 accepts both. */
  generalizedTime(time: Date): Der {
    const text = time.toISOString().replace(/[-:T]/g, "").replace(/\.\d+Z$/, "Z");
    return tagged(0x18, Buffer.from(text, "ascii"));
  },
  utcTime(time: Date): Der {
    const text = time.toISOString().slice(2).replace(/[-:T]/g, "").replace(/\.\d+Z$/, "Z");
    return tagged(0x17, Buffer.from(text, "ascii"));
  },
  bitString: (bytes: Uint8Array, unusedBits = 0): Der => tagged(0x03, Buffer.concat([Uint8Array.of(unusedBits), bytes])),
  octetString: (bytes: Uint8Array): Der => tagged(0x04, bytes),
  /** `[n] EXPLICIT` wrapping, e.g. the certificate version and the extensions. */
  explicit: (tagNumber: number, inner: Der): Der => tagged(0xa0 | tagNumber, inner),
  /** `[n] IMPLICIT` primitive, e.g. a dNSName inside subjectAltName. */
  implicitPrimitive: (tagNumber: number, bytes: Uint8Array): Der => tagged(0x80 | tagNumber, bytes),
};
