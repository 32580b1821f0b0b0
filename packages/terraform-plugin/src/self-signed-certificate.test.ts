import { X509Certificate } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSelfSignedCertificate, toPem } from "./self-signed-certificate";

describe("createSelfSignedCertificate", () => {
  it("makes a self-signed CA certificate valid for localhost now", () => {
    const now = new Date("2026-11-22T07:00:00Z");
    const made = createSelfSignedCertificate(now);
    const certificate = new X509Certificate(made.der);
    expect(certificate.checkHost("localhost")).toBe("localhost");
    expect(certificate.checkHost("example.com")).toBeUndefined();
    expect(certificate.ca).toBe(true);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.checkIssued(certificate)).toBe(true);
    expect(new Date(certificate.validFrom).getTime()).toBeLessThan(now.getTime());
    expect(new Date(certificate.validTo).getTime()).toBeGreaterThan(now.getTime());
    expect(certificate.keyUsage).toEqual(expect.arrayContaining(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]));
  });

  it("gives the same certificate in PEM and DER, and a new key on every launch", () => {
    const first = createSelfSignedCertificate();
    const second = createSelfSignedCertificate();
    expect(new X509Certificate(first.certificatePem).raw.equals(Buffer.from(first.der))).toBe(true);
    expect(Buffer.from(first.der).equals(Buffer.from(second.der))).toBe(false);
  });

  it("is accepted by openssl as its own trust anchor for localhost", () => {
    const dir = mkdtempSync(join(tmpdir(), "keyward-cert-"));
    const file = join(dir, "cert.pem");
    writeFileSync(file, createSelfSignedCertificate().certificatePem);
    const output = execFileSync("openssl", ["verify", "-CAfile", file, "-verify_hostname", "localhost", "-purpose", "sslserver", file]).toString();
    expect(output.trim()).toBe(`${file}: OK`);
  });
});

describe("toPem", () => {
  it("never leaves an empty line when the base64 fills whole lines", () => {
    const pem = toPem("CERTIFICATE", new Uint8Array(48 * 2));
    expect(pem).not.toMatch(/\n\n/);
    expect(pem.split("\n")).toHaveLength(5);
  });
});
