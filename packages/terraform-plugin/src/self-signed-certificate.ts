import { generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { der } from "./der";

/**
 * The plugin's per-launch certificate for go-plugin AutoMTLS. Terraform pins it from the handshake
 * line and verifies it as its own root for server name `localhost`, so it mirrors what go-plugin
 * generates for itself (`mtls.go`): self-signed CA, ECDSA, SAN DNS `localhost`, server and client
 * auth.
 */
export interface SelfSignedCertificate {
  /** DER bytes: base64 of these goes into the handshake line. */
  readonly der: Uint8Array;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
};

const HOST = "localhost";

function name(): Uint8Array {
  const attribute = (oid: string, value: string) => der.set(der.sequence(der.objectIdentifier(oid), der.utf8String(value)));
  return der.sequence(attribute(OID.organization, "Keyward"), attribute(OID.commonName, HOST));
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return der.sequence(der.objectIdentifier(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
}

function extensions(): Uint8Array {
  // keyUsage bits: digitalSignature(0), keyEncipherment(2), keyCertSign(5) → 1010 0100, 2 unused bits.
  const keyUsage = der.bitString(Uint8Array.of(0b1010_0100), 2);
  return der.explicit(
    3,
    der.sequence(
      extension(OID.basicConstraints, true, der.sequence(der.boolean(true))),
      extension(OID.keyUsage, true, keyUsage),
      extension(OID.extKeyUsage, false, der.sequence(der.objectIdentifier(OID.serverAuth), der.objectIdentifier(OID.clientAuth))),
      extension(OID.subjectAltName, false, der.sequence(der.implicitPrimitive(2, Buffer.from(HOST, "ascii")))),
    ),
  );
}

function validity(now: Date): Uint8Array {
  // Backdated a little against clock skew, as go-plugin does; one launch never lives a year.
  const notBefore = new Date(now.getTime() - 30_000);
  const notAfter = new Date(now.getTime() + 365 * 86_400_000);
  return der.sequence(der.utcTime(notBefore), der.utcTime(notAfter));
}

/** PEM with 64-column lines and no empty line: OpenSSL intermittently rejects a blank line. */
export function toPem(label: string, bytes: Uint8Array): string {
  const base64 = Buffer.from(bytes).toString("base64");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

export function createSelfSignedCertificate(now: Date = new Date(), random: (size: number) => Uint8Array = randomBytes): SelfSignedCertificate {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const signatureAlgorithm = der.sequence(der.objectIdentifier(OID.ecdsaWithSha256));
  const serial = random(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const toBeSigned = der.sequence(
    der.explicit(0, der.smallInteger(2)),
    der.unsignedInteger(serial),
    signatureAlgorithm,
    name(),
    validity(now),
    name(),
    publicKey.export({ type: "spki", format: "der" }),
    extensions(),
  );
  const signature = sign("sha256", toBeSigned, privateKey as KeyObject);
  const certificate = der.sequence(toBeSigned, signatureAlgorithm, der.bitString(signature));
  return {
    der: certificate,
    certificatePem: toPem("CERTIFICATE", certificate),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}
