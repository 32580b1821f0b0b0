import { startGrpcServer, type UnaryHandler } from "./grpc-server";
import { checkLaunch, handshakeLine } from "./handshake";
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
  writeStdout: (text) => process.stdout.write(text),
  writeStderr: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
  onSignal: (signal, listener) => process.on(signal, listener),
};

/** Large states (hundreds of keys) exceed gRPC's usual 4 MB limit. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

type UnaryAnswer = (request: Message) => Message | Promise<Message>;

/** A call's handler: decodes the request, answers, encodes; logs the call's name, never its content. */
function unary(log: Logger, method: string, { request, response }: CallDescriptor, answer: UnaryAnswer): UnaryHandler {
  return async (bytes) => {
    log.trace("call started", { call: method });
    try {
      return encodeMessage(response, await answer(decodeMessage(request, bytes)));
    } catch (error) {
      log.error("call failed", { call: method, error: error instanceof Error ? error.name : "unknown" });
      throw error;
    }
  };
}

function providerAnswers<Client>(server: () => Promise<ProviderServer<Client>>): Record<keyof typeof providerService, UnaryAnswer> {
  return {
    GetMetadata: async () => (await server()).getMetadata(),
    GetProviderSchema: async () => (await server()).getProviderSchema(),
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

function handlersOf(log: Logger, service: string, calls: Record<string, CallDescriptor>, answers: Record<string, UnaryAnswer>): [string, UnaryHandler][] {
  return Object.entries(answers).map(([method, answer]) => [`/${service}/${method}`, unary(log, method, calls[method]!, answer)]);
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

  const certificate = createSelfSignedCertificate();
  let providerServer: Promise<ProviderServer<Client>> | undefined;
  const provider = () => (providerServer ??= loadProvider().then((definition) => new ProviderServer(definition, log, host.environment)));
  const shutdown = () => {
    log.debug("shutdown requested");
    // After this answer has gone out: close() lets calls in flight finish.
    setImmediate(() => server.close(() => host.exit(0)));
    return {};
  };
  // The client certificate is Terraform's own self-signed one, so it is the only trusted root.
  const handlers = new Map([...handlersOf(log, "tfplugin6.Provider", providerService, providerAnswers(provider)), ...handlersOf(log, "plugin.GRPCController", controllerService, { Shutdown: shutdown })]);
  const { schemaAnswer } = options;
  if (schemaAnswer) handlers.set("/tfplugin6.Provider/GetProviderSchema", async () => schemaAnswer);
  const server = await startGrpcServer({
    handlers,
    clientCertificatePem: launch.clientCertificatePem,
    certificatePem: certificate.certificatePem,
    privateKeyPem: certificate.privateKeyPem,
    maxMessageBytes: MAX_MESSAGE_BYTES,
    log,
  });
  host.writeStdout(handshakeLine(server.port, certificate.der));
  log.debug("serving", { port: server.port });
  if (!schemaAnswer) void provider();
}
