import * as grpc from "@grpc/grpc-js";
import { existsSync, lstatSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { toyProvider } from "../test/toy-provider";
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from "./handshake";
import { decodeMessage } from "./message-codec";
import { listenPlace, providerSchemaAnswer, servePlugin, type PluginProcess } from "./plugin-server";
import type { ProviderDefinition } from "./provider-definition";
import { createSelfSignedCertificate } from "./self-signed-certificate";
import { providerService } from "./tfplugin6";

// servePlugin as Terraform launches it: the magic cookie and Terraform's client certificate in the
// environment, the handshake line on stdout, then calls over mutual TLS (grpc-js as the client).
const terraformCertificate = createSelfSignedCertificate();
const channels: grpc.Client[] = [];

afterEach(async () => {
  // Shutdown removes a launch's socket directory; a plugin already shut down refuses the call.
  for (const channel of channels.splice(0)) {
    await new Promise<void>((resolve) => channel.makeUnaryRequest("/plugin.GRPCController/Shutdown", () => Buffer.alloc(0), (bytes: Buffer) => bytes, {}, () => resolve()));
    channel.close();
  }
});

async function launch(options: Parameters<typeof servePlugin>[2], environment: NodeJS.ProcessEnv = {}) {
  let loads = 0;
  let stdout = "";
  let exited: number | undefined;
  const host: PluginProcess = {
    environment: { [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: "5,6", PLUGIN_CLIENT_CERT: terraformCertificate.certificatePem, ...environment },
    writeStdout: (text) => void (stdout += text),
    writeStderr: () => {},
    exit: (code) => void (exited = code),
    onSignal: () => {},
  };
  const load = async () => {
    loads += 1;
    return toyProvider as ProviderDefinition<unknown>;
  };
  await servePlugin(load, host, options);
  const [, , network, address, , certificate] = stdout.trim().split("|");
  const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(certificate!, "base64").toString("base64").match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`;
  const credentials = grpc.credentials.createSsl(Buffer.from(pem), Buffer.from(terraformCertificate.privateKeyPem), Buffer.from(terraformCertificate.certificatePem));
  const channel = new grpc.Client(network === "unix" ? `unix:${address}` : address!, credentials, { "grpc.ssl_target_name_override": "localhost", "grpc.default_authority": "localhost" });
  channels.push(channel);
  const call = (path: string) =>
    new Promise<Buffer>((resolve, reject) => channel.makeUnaryRequest(path, () => Buffer.alloc(0), (bytes: Buffer) => bytes, {}, (error, answer) => (error ? reject(error) : resolve(answer!))));
  return { call, loads: () => loads, exited: () => exited, network: network!, address: address! };
}

describe("servePlugin", () => {
  it("answers the schema from the loaded provider, which it loads right after the handshake", async () => {
    const plugin = await launch({});
    const answer = await plugin.call("/tfplugin6.Provider/GetProviderSchema");
    expect(answer).toEqual(Buffer.from(providerSchemaAnswer(toyProvider as ProviderDefinition<unknown>)));
    expect(plugin.loads()).toBe(1);
  });

  it("with the schema answer made ahead, serves a schema-only launch without loading the provider, and loads it at the first other call", async () => {
    const schemaAnswer = providerSchemaAnswer(toyProvider as ProviderDefinition<unknown>);
    const plugin = await launch({ schemaAnswer });
    const answer = await plugin.call("/tfplugin6.Provider/GetProviderSchema");
    const schema = decodeMessage<{ resourceSchemas: Record<string, unknown> }>(providerService.GetProviderSchema.response, answer);
    expect(Object.keys(schema.resourceSchemas)).toEqual(toyProvider.resources.map((resource) => resource.typeName));
    expect(plugin.loads()).toBe(0);
    await plugin.call("/tfplugin6.Provider/GetMetadata");
    expect(plugin.loads()).toBe(1);
  });

  it("exits 0 once Terraform calls Shutdown", async () => {
    const plugin = await launch({});
    await plugin.call("/plugin.GRPCController/Shutdown");
    await expect.poll(plugin.exited).toBe(0);
  });

  it("serves on a unix socket in a directory only its user may enter, in PLUGIN_UNIX_SOCKET_DIR, and removes it at Shutdown", async () => {
    const socketDirectory = mkdtempSync(join(tmpdir(), "plugin-socket-test-"));
    try {
      const plugin = await launch({}, { PLUGIN_UNIX_SOCKET_DIR: socketDirectory });
      expect(plugin.network).toBe("unix");
      expect(dirname(dirname(plugin.address))).toBe(socketDirectory);
      expect(lstatSync(plugin.address).isSocket()).toBe(true);
      expect(lstatSync(dirname(plugin.address)).mode & 0o077).toBe(0);
      await plugin.call("/tfplugin6.Provider/GetProviderSchema");
      await plugin.call("/plugin.GRPCController/Shutdown");
      await expect.poll(plugin.exited).toBe(0);
      expect(existsSync(dirname(plugin.address))).toBe(false);
    } finally {
      rmSync(socketDirectory, { recursive: true, force: true });
    }
  });
});

const readdirCount = (directory: string) => readdirSync(directory).length;

describe("listenPlace", () => {
  it("is loopback TCP on Windows, where go-plugin uses TCP too", () => {
    expect(listenPlace({}, "win32")).toMatchObject({ target: { host: "127.0.0.1", port: 0 }, address: { network: "tcp" } });
  });

  it("is loopback TCP when the socket path would be too long for a socket address, and leaves nothing behind", () => {
    const deep = mkdtempSync(join(tmpdir(), `plugin-socket-test-${"d".repeat(90)}-`));
    try {
      expect(listenPlace({ PLUGIN_UNIX_SOCKET_DIR: deep }, "linux")).toMatchObject({ address: { network: "tcp" } });
      expect(readdirCount(deep)).toBe(0);
    } finally {
      rmSync(deep, { recursive: true, force: true });
    }
  });

  it("is loopback TCP when the socket directory cannot be made", () => {
    expect(listenPlace({ PLUGIN_UNIX_SOCKET_DIR: "/nonexistent/keyward-test" }, "linux")).toMatchObject({ address: { network: "tcp" } });
  });
});
