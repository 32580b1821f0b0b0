/**
 * go-plugin's launch contract (hashicorp/go-plugin `docs/internals.md`, `server.go`): Terraform
 * starts the plugin with a magic cookie in the environment, and the plugin answers with exactly one
 * line on stdout naming the protocol, address and its TLS certificate.
 */
export const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
export const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const CORE_PROTOCOL_VERSION = 1;
export const APP_PROTOCOL_VERSION = 6;

export const NOT_LAUNCHED_BY_TERRAFORM = [
  "This binary is a plugin. These are not meant to be executed directly.",
  "Please execute the program that consumes these plugins, which will",
  "load any plugins automatically",
].join("\n");

export type LaunchCheck = { ok: true; clientCertificatePem: string } | { ok: false; message: string };

/** Whether Terraform launched us, speaking protocol 6 with AutoMTLS; why not otherwise. */
export function checkLaunch(environment: NodeJS.ProcessEnv): LaunchCheck {
  if (environment[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) return { ok: false, message: NOT_LAUNCHED_BY_TERRAFORM };
  const offered = (environment.PLUGIN_PROTOCOL_VERSIONS ?? String(APP_PROTOCOL_VERSION)).split(",").map((version) => version.trim());
  if (!offered.includes(String(APP_PROTOCOL_VERSION))) {
    return {
      ok: false,
      message: `This provider speaks plugin protocol ${APP_PROTOCOL_VERSION} (Terraform 1.0 or later); Terraform offered ${offered.join(", ")}. Upgrade Terraform.`,
    };
  }
  const clientCertificatePem = environment.PLUGIN_CLIENT_CERT;
  if (!clientCertificatePem) {
    return {
      ok: false,
      message: "PLUGIN_CLIENT_CERT is not set: this provider only serves over mutual TLS. Unset TF_DISABLE_PLUGIN_TLS.",
    };
  }
  return { ok: true, clientCertificatePem };
}

/**
 * Where the plugin serves: a unix socket, as go-plugin's own servers do everywhere but Windows, or a
 * loopback TCP port.
 */
export type PluginAddress = { readonly network: "unix"; readonly path: string } | { readonly network: "tcp"; readonly port: number };

/**
 * `1|6|unix|/tmp/…/plugin.sock|grpc|<DER, base64 without padding as Go's RawStdEncoding>`, or
 * `1|6|tcp|127.0.0.1:1234|grpc|…`.
 */
export function handshakeLine(address: PluginAddress, certificateDer: Uint8Array): string {
  const certificate = Buffer.from(certificateDer).toString("base64").replace(/=+$/, "");
  const where = address.network === "unix" ? address.path : `127.0.0.1:${address.port}`;
  return `${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|${address.network}|${where}|grpc|${certificate}\n`;
}
