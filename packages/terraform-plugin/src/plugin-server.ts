import { mkdtempSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkLaunch, handshakeLine, type PluginAddress } from "./handshake";
import { createLogger, logLevelFrom, type Logger } from "./logger";
import { decodeMessage, encodeMessage, type Message } from "./message-codec";
import type { ProviderDefinition } from "./provider-definition";
import { ProviderServer } from "./provider-server";
import { createSelfSignedCertificate } from "./self-signed-certificate";
import { controllerService, providerService, type CallDescriptor } from "./tfplugin6";
import { createUnaryServer, type ListenTarget, type UnaryMethod } from "./unary-grpc-server";

/**
 * Runs a provider as a Terraform plugin: checks the launch, serves gRPC (unary-grpc-server.ts) over
 * mutual TLS on a unix socket or a loopback port, prints the handshake line, and exits when
 * Terraform shuts it down.
 */
export interface PluginProcess {
  readonly environment: NodeJS.ProcessEnv;
  readonly writeStdout: (text: string) => void;
  readonly writeStderr: (text: string) => void;
  readonly exit: (code: number) => void;
  readonly onSignal: (signal: NodeJS.Signals, listener: () => void) => void;
}

const nodeProcess: PluginProcess = {
  environment: process.env,
  // One line, written straight to the descriptor: the handshake is all a plugin ever prints, and
  // making `process.stdout` (a stream over a pipe) for it took a launch 2–4 ms.
  writeStdout: (text) => void writeSync(1, text),
  writeStderr: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
  onSignal: (signal, listener) => process.on(signal, listener),
};

/**
 * A unix socket in a directory of its own (mode 0700, so no other user can even connect), as
 * go-plugin's Go servers do off Windows, in `PLUGIN_UNIX_SOCKET_DIR` when Terraform names one:
 * against a loopback TCP port it spares each launch grpc-js's resolving of an IP address (whose
 * first IPv6 check compiles Node's IPv6 regular expression) and each call the TCP stack, on both
 * sides. TCP where a socket cannot be had: Windows, a path too long for a socket address or one
 * that the handshake line could not carry.
 */
export interface ListenPlace {
  readonly target: ListenTarget;
  readonly address: PluginAddress;
  /** Removes what the place left on disk; called as the plugin exits. */
  readonly release: () => void;
}

/** The longest socket path every supported system takes (macOS: 104 bytes with the terminator). */
const MAX_SOCKET_PATH = 103;

export function listenPlace(environment: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): ListenPlace {
  const tcp: ListenPlace = { target: { host: "127.0.0.1", port: 0 }, address: { network: "tcp", port: 0 }, release: () => {} };
  if (platform === "win32") return tcp;
  let directory: string;
  try {
    directory = mkdtempSync(join(environment.PLUGIN_UNIX_SOCKET_DIR || tmpdir(), "keyward-plugin-"));
  } catch {
    return tcp;
  }
  const release = () => rmSync(directory, { recursive: true, force: true });
  const path = join(directory, "plugin.sock");
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH || /[|\r\n]/.test(path)) {
    release();
    return tcp;
  }
  return { target: { path }, address: { network: "unix", path }, release };
}

/** Large states (hundreds of keys) exceed gRPC's usual 4 MB default. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

type UnaryAnswer = (request: Message) => Message | Promise<Message>;

/** The calls of one service, by path, over the protocol's messages. */
function serviceMethods(fullName: string, calls: Record<string, CallDescriptor>, answers: Record<string, UnaryAnswer>, log: Logger): [string, UnaryMethod][] {
  return Object.entries(calls).map(([method, { request, response }]) => {
    const answer = answers[method]!;
    return [
      `/${fullName}/${method}`,
      {
        decode: (bytes) => decodeMessage(request, bytes),
        answer: (message) => {
          log.trace("call started", { call: method });
          return answer(message as Message);
        },
        // An answer made ahead of time (the schema) arrives already encoded.
        encode: (value) => (value instanceof Uint8Array ? value : encodeMessage(response, value as Message)),
      },
    ];
  });
}

function providerAnswers<Client>(server: () => Promise<ProviderServer<Client>>, schemaAnswer: Uint8Array | undefined): Record<keyof typeof providerService, UnaryAnswer> {
  return {
    GetMetadata: async () => (await server()).getMetadata(),
    GetProviderSchema: schemaAnswer ? () => schemaAnswer as unknown as Message : async () => (await server()).getProviderSchema(),
    ValidateProviderConfig: async (request) => (await server()).validateProviderConfig(request),
    ValidateResourceConfig: async (request) => (await server()).validateResourceConfig(request),
    ValidateDataResourceConfig: async (request) => (await server()).validateDataResourceConfig(request),
    UpgradeResourceState: async (request) => (await server()).upgradeResourceState(request),
    ConfigureProvider: async (request) => (await server()).configureProvider(request),
    ReadResource: async (request) => (await server()).readResource(request),
    PlanResourceChange: async (request) => (await server()).planResourceChange(request),
    ApplyResourceChange: async (request) => (await server()).applyResourceChange(request),
    ImportResourceState: async (request) => (await server()).importResourceState(request),
    MoveResourceState: async () => (await server()).moveResourceState(),
    ReadDataSource: async (request) => (await server()).readDataSource(request),
    ValidateEphemeralResourceConfig: async (request) => (await server()).validateEphemeralResourceConfig(request),
    OpenEphemeralResource: async (request) => (await server()).openEphemeralResource(request),
    RenewEphemeralResource: async (request) => (await server()).renewEphemeralResource(request),
    CloseEphemeralResource: async (request) => (await server()).closeEphemeralResource(request),
    GetFunctions: async () => (await server()).getFunctions(),
    StopProvider: async () => {
      (await server()).stop();
      return { error: "" };
    },
  };
}

/** GetProviderSchema's answer, encoded: the same for every launch of one build of a provider. */
export function providerSchemaAnswer(definition: ProviderDefinition<unknown>): Uint8Array {
  const silent = createLogger({ module: "provider", level: "error", write: () => {} });
  return encodeMessage(providerService.GetProviderSchema.response, new ProviderServer(definition, silent, {}).getProviderSchema());
}

export interface ServeOptions {
  /**
   * GetProviderSchema's answer made ahead of time (`providerSchemaAnswer`, e.g. by the build). With
   * it, a launch that only reads the schema (Terraform's first launch of every command) never loads
   * the provider, and the provider loads at the first call that needs it rather than right after
   * the handshake, where loading would hold up the schema answer.
   */
  readonly schemaAnswer?: Uint8Array;
}

/**
 * `loadProvider` is called after the handshake so that loading resource code (the API client and
 * its schemas) overlaps with Terraform's first calls instead of delaying the launch.
 */
export async function servePlugin<Client>(
  loadProvider: () => Promise<ProviderDefinition<Client>>,
  host: PluginProcess = nodeProcess,
  options: ServeOptions = {},
): Promise<void> {
  const launch = checkLaunch(host.environment);
  if (!launch.ok) {
    host.writeStderr(`${launch.message}\n`);
    host.exit(1);
    return;
  }
  const log = createLogger({ module: "provider", level: logLevelFrom(host.environment), write: host.writeStderr });
  // Terraform forwards Ctrl-C to the whole process group and then asks us to stop via
  // StopProvider; dying on SIGINT would abandon an apply half-way.
  host.onSignal("SIGINT", () => log.info("interrupt received; waiting for Terraform to stop the provider"));

  const place = listenPlace(host.environment);
  const certificate = createSelfSignedCertificate();
  let providerServer: Promise<ProviderServer<Client>> | undefined;
  const provider = () => (providerServer ??= loadProvider().then((definition) => new ProviderServer(definition, log, host.environment)));
  const shutdown = () => {
    log.debug("shutdown requested");
    setImmediate(() =>
      server.close(() => {
        place.release();
        host.exit(0);
      }),
    );
    return {};
  };
  // Node's TLS floor is already TLS 1.2, which go-plugin requires; the client certificate is
  // Terraform's own self-signed one, so it is the only trusted root.
  const server = createUnaryServer({
    methods: new Map([...serviceMethods("tfplugin6.Provider", providerService, providerAnswers(provider, options.schemaAnswer), log), ...serviceMethods("plugin.GRPCController", controllerService, { Shutdown: shutdown }, log)]),
    maxMessageBytes: MAX_MESSAGE_BYTES,
    tls: { key: certificate.privateKeyPem, cert: certificate.certificatePem, ca: launch.clientCertificatePem },
    onCallFailed: (path, error) => log.error("call failed", { call: path.slice(path.lastIndexOf("/") + 1), error: error instanceof Error ? error.name : "unknown" }),
  });
  let address: PluginAddress;
  try {
    const bound = await server.listen(place.target);
    address = place.address.network === "tcp" ? { network: "tcp", port: bound } : place.address;
  } catch (error) {
    if (place.address.network === "tcp") throw error;
    // A socket directory that refuses a socket (a file system without them): loopback TCP after all.
    place.release();
    address = { network: "tcp", port: await server.listen({ host: "127.0.0.1", port: 0 }) };
  }
  host.writeStdout(handshakeLine(address, certificate.der));
  // HTTP/2 and TLS load now, while Terraform reads the line and connects, not before the line.
  void server.prepare();
  log.debug("serving", { network: address.network });
  if (!options.schemaAnswer) void provider();
}
