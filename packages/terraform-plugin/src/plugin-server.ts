import type * as Grpc from "@grpc/grpc-js";
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

/**
 * Runs a provider as a Terraform plugin: checks the launch, serves gRPC over mutual TLS on a
 * loopback port, prints the handshake line, and exits when Terraform shuts it down.
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
  readonly target: string;
  readonly address: PluginAddress;
  /** Removes what the place left on disk; called as the plugin exits. */
  readonly release: () => void;
}

/** The longest socket path every supported system takes (macOS: 104 bytes with the terminator). */
const MAX_SOCKET_PATH = 103;

export function listenPlace(environment: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): ListenPlace {
  const tcp: ListenPlace = { target: "127.0.0.1:0", address: { network: "tcp", port: 0 }, release: () => {} };
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
  return { target: `unix:${path}`, address: { network: "unix", path }, release };
}

/** Large states (hundreds of keys) exceed grpc-js's 4 MB default. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

function serviceDefinition(fullName: string, calls: Record<string, CallDescriptor>): Grpc.ServiceDefinition {
  const definition: Record<string, Grpc.MethodDefinition<Message, Message>> = {};
  for (const [method, { request, response }] of Object.entries(calls)) {
    definition[method] = {
      path: `/${fullName}/${method}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (value) => Buffer.from(encodeMessage(request, value)),
      requestDeserialize: (bytes) => decodeMessage(request, bytes),
      // An answer made ahead of time (the schema) arrives already encoded.
      responseSerialize: (value) => Buffer.from(value instanceof Uint8Array ? value : encodeMessage(response, value)),
      responseDeserialize: (bytes) => decodeMessage(response, bytes),
      originalName: method,
    };
  }
  return definition;
}

type UnaryAnswer = (request: Message) => Message | Promise<Message>;

function unary(grpc: typeof Grpc, log: Logger, method: string, answer: UnaryAnswer): Grpc.handleUnaryCall<Message, Message> {
  return (call, callback) => {
    log.trace("call started", { call: method });
    Promise.resolve()
      .then(() => answer(call.request))
      .then(
        (response) => callback(null, response),
        (error: unknown) => {
          log.error("call failed", { call: method, error: error instanceof Error ? error.name : "unknown" });
          callback({ code: grpc.status.INTERNAL, details: error instanceof Error ? error.message : "internal error" });
        },
      );
  };
}

function providerHandlers<Client>(
  grpc: typeof Grpc,
  log: Logger,
  server: () => Promise<ProviderServer<Client>>,
  schemaAnswer: Uint8Array | undefined,
): Grpc.UntypedServiceImplementation {
  const answers: Record<keyof typeof providerService, UnaryAnswer> = {
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
  return Object.fromEntries(Object.entries(answers).map(([method, answer]) => [method, unary(grpc, log, method, answer)]));
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

  const grpc = await import("@grpc/grpc-js");
  const place = listenPlace(host.environment);
  const certificate = createSelfSignedCertificate();
  // No channelz: nothing here queries it, and it keeps books on every call and session.
  const server = new grpc.Server({ "grpc.max_receive_message_length": MAX_MESSAGE_BYTES, "grpc.max_send_message_length": MAX_MESSAGE_BYTES, "grpc.enable_channelz": 0 });
  let providerServer: Promise<ProviderServer<Client>> | undefined;
  const provider = () => (providerServer ??= loadProvider().then((definition) => new ProviderServer(definition, log, host.environment)));
  server.addService(serviceDefinition("tfplugin6.Provider", providerService), providerHandlers(grpc, log, provider, options.schemaAnswer));
  server.addService(serviceDefinition("plugin.GRPCController", controllerService), {
    Shutdown: unary(grpc, log, "Shutdown", () => {
      log.debug("shutdown requested");
      setImmediate(() =>
        server.tryShutdown(() => {
          place.release();
          host.exit(0);
        }),
      );
      return {};
    }),
  });

  // Node's TLS floor is already TLS 1.2, which go-plugin requires; the client certificate is
  // Terraform's own self-signed one, so it is the only trusted root.
  const credentials = grpc.ServerCredentials.createSsl(
    Buffer.from(launch.clientCertificatePem),
    [{ private_key: Buffer.from(certificate.privateKeyPem), cert_chain: Buffer.from(certificate.certificatePem) }],
    true,
  );
  const bind = (target: string) =>
    new Promise<number>((resolve, reject) => server.bindAsync(target, credentials, (error, boundPort) => (error ? reject(error) : resolve(boundPort))));
  let address: PluginAddress;
  try {
    const bound = await bind(place.target);
    address = place.address.network === "tcp" ? { network: "tcp", port: bound } : place.address;
  } catch (error) {
    if (place.address.network === "tcp") throw error;
    // A socket directory that refuses a socket (a file system without them): loopback TCP after all.
    place.release();
    address = { network: "tcp", port: await bind("127.0.0.1:0") };
  }
  host.writeStdout(handshakeLine(address, certificate.der));
  log.debug("serving", { network: address.network });
  if (!options.schemaAnswer) void provider();
}
