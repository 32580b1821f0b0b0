import { describe, expect, it } from "vitest";
import { checkLaunch, handshakeLine, MAGIC_COOKIE_VALUE } from "./handshake";

describe("go-plugin handshake", () => {
  it("prints the certificate in base64 without padding", () => {
    expect(handshakeLine({ network: "tcp", port: 1234 }, Uint8Array.of(1, 2, 3, 4))).toBe("1|6|tcp|127.0.0.1:1234|grpc|AQIDBA\n");
  });

  it("names a unix socket by its path", () => {
    expect(handshakeLine({ network: "unix", path: "/tmp/keyward-plugin-x/plugin.sock" }, Uint8Array.of(1, 2, 3, 4))).toBe("1|6|unix|/tmp/keyward-plugin-x/plugin.sock|grpc|AQIDBA\n");
  });

  it("tells a person who runs the binary that it is a plugin", () => {
    const check = checkLaunch({});
    expect(check.ok).toBe(false);
    expect(!check.ok && check.message).toContain("This binary is a plugin");
  });

  it("requires protocol 6 and Terraform's client certificate", () => {
    expect(checkLaunch({ TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: "5", PLUGIN_CLIENT_CERT: "x" })).toMatchObject({ ok: false });
    expect(checkLaunch({ TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: "5,6" })).toMatchObject({ ok: false });
    expect(checkLaunch({ TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: "5,6", PLUGIN_CLIENT_CERT: "pem" })).toEqual({ ok: true, clientCertificatePem: "pem" });
  });
});
