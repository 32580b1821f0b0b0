// Provider launch vs a bare `node -e` start (SPEC §16, issue 14): time to the handshake line, and
// time to the first real answer, as Terraform sees it: the bench connects the way Terraform does
// (mutual TLS, the provider's certificate from the handshake line as the only root, server name
// `localhost`) and asks GetProviderSchema, the first call of every command. The clock stops when
// the answer has arrived and holds the schema. `node packages/provider/bench/launch.mjs [runs]`
// after `npm run build`; or import `measureLaunch` from bench/provider.mjs. Runs alternate between
// the two so machine noise hits both. Needs `openssl` (for the client certificate).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const grpc = require("@grpc/grpc-js");

const MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const DEFAULT_EXECUTABLE = fileURLToPath(new URL("../dist/terraform-provider-keyward.js", import.meta.url));

/** Terraform's side of AutoMTLS: a throwaway self-signed client certificate (go-plugin's is P-521). */
function clientCertificate() {
  const dir = mkdtempSync(join(tmpdir(), "keyward-bench-cert-"));
  try {
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    try {
      execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"], { stdio: "ignore" });
    } catch (error) {
      throw new Error(`the launch bench needs openssl on PATH to make Terraform's client certificate (apt-get install openssl): ${error.message}`);
    }
    return { keyPem: readFileSync(key), certPem: readFileSync(cert) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `1|6|unix|PATH|grpc|CERT` (or `1|6|tcp|127.0.0.1:PORT|grpc|CERT`) → the gRPC target and the
 * provider's certificate as PEM.
 */
function parseHandshake(line) {
  const [core, app, network, address, protocol, certificate] = line.trim().split("|");
  if (core !== "1" || app !== "6" || (network !== "tcp" && network !== "unix") || protocol !== "grpc" || !certificate) throw new Error(`not a go-plugin handshake line: ${line.slice(0, 80)}`);
  // The handshake carries the DER in base64 without padding (Go's RawStdEncoding).
  const base64 = Buffer.from(certificate, "base64").toString("base64").match(/.{1,64}/g).join("\n");
  return { address: network === "unix" ? `unix:${address}` : address, certificatePem: Buffer.from(`-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`) };
}

function unaryCall(channel, path) {
  return new Promise((resolve, reject) => {
    const identity = (bytes) => bytes;
    channel.makeUnaryRequest(path, () => Buffer.alloc(0), identity, {}, (error, answer) => (error ? reject(error) : resolve(answer)));
  });
}

function connect(address, serverCertificatePem, client) {
  const credentials = grpc.credentials.createSsl(serverCertificatePem, client.keyPem, client.certPem);
  return new grpc.Client(address, credentials, { "grpc.ssl_target_name_override": "localhost", "grpc.default_authority": "localhost", "grpc.max_receive_message_length": 256 * 1024 * 1024 });
}

async function getProviderSchema(channel) {
  const answer = await unaryCall(channel, "/tfplugin6.Provider/GetProviderSchema");
  // A real answer names the provider's resources; an empty or error message would not.
  if (!answer.includes("keyward_api_key")) throw new Error(`GetProviderSchema answered ${answer.length} bytes without the keyward_api_key schema`);
  return answer.length;
}

/**
 * One launch: ms to the handshake line and to the answer of GetProviderSchema; then, untimed, the
 * Shutdown call Terraform ends every provider process with, and the exit.
 */
function launchProvider(executable, client) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
    const env = { ...process.env, TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE, PLUGIN_PROTOCOL_VERSIONS: "5,6", PLUGIN_CLIENT_CERT: client.certPem.toString() };
    const child = spawn(executable, [], { env, stdio: ["ignore", "pipe", "ignore"] });
    const exited = new Promise((done) => child.once("exit", done));
    child.on("error", reject);
    let line = "";
    const answer = async () => {
      const handshakeMs = elapsed();
      const { address, certificatePem } = parseHandshake(line);
      const channel = connect(address, certificatePem, client);
      try {
        const schemaBytes = await getProviderSchema(channel);
        const firstAnswerMs = elapsed();
        await unaryCall(channel, "/plugin.GRPCController/Shutdown");
        return { handshakeMs, firstAnswerMs, schemaBytes };
      } finally {
        channel.close();
      }
    };
    child.stdout.on("data", (chunk) => {
      if (line.endsWith("\n")) return;
      line += chunk.toString();
      if (!line.endsWith("\n")) return;
      answer().then(
        async (result) => {
          await exited;
          resolve(result);
        },
        (error) => {
          child.kill();
          reject(error);
        },
      );
    });
  });
}

function bareNode() {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ["-e", "process.stdout.write('ready\\n')"], { stdio: ["ignore", "pipe", "ignore"] });
    child.on("error", reject);
    child.stdout.once("data", () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
  });
}

const sorted = (values) => [...values].sort((a, b) => a - b);
const median = (values) => sorted(values)[Math.floor(values.length / 2)];

export async function measureLaunch({ executable = DEFAULT_EXECUTABLE, runs = 21 } = {}) {
  const client = clientCertificate();
  // One untimed launch: the first start after a build fills the page cache (and any code cache).
  await launchProvider(executable, client);
  const bare = [];
  const handshake = [];
  const firstAnswer = [];
  for (let run = 0; run < runs; run++) {
    bare.push(await bareNode());
    const launch = await launchProvider(executable, client);
    handshake.push(launch.handshakeMs);
    firstAnswer.push(launch.firstAnswerMs);
  }
  const bareMs = median(bare);
  const handshakeMs = median(handshake);
  const firstAnswerMs = median(firstAnswer);
  return { runs, bareMs, handshakeMs, firstAnswerMs, handshakeRatio: handshakeMs / bareMs, firstAnswerRatio: firstAnswerMs / bareMs };
}

/** CPU (ms) of this process's waited-for children (Terraform and its providers, for the plan bench); Linux only (fields 16 and 17 of proc(5), USER_HZ 100). */
export function childrenCpuMs() {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/**
 * A/B of executables (e.g. builds before and after a change): launches alternated between them and
 * a bare `node -e`, so machine noise hits all; per executable the medians of the ratios to the
 * bare start of the same round, and the mean CPU of a launch (its process, to its exit).
 */
export async function compareLaunch({ executables, runs = 21 }) {
  const client = clientCertificate();
  const names = Object.keys(executables);
  for (const name of names) await launchProvider(executables[name], client);
  const rows = Object.fromEntries(names.map((name) => [name, { handshake: [], firstAnswer: [], cpuMs: 0 }]));
  for (let run = 0; run < runs; run++) {
    const bareMs = await bareNode();
    for (const name of run % 2 === 0 ? names : [...names].reverse()) {
      const before = childrenCpuMs();
      const launch = await launchProvider(executables[name], client);
      rows[name].cpuMs += (childrenCpuMs() ?? 0) - (before ?? 0);
      rows[name].handshake.push(launch.handshakeMs / bareMs);
      rows[name].firstAnswer.push(launch.firstAnswerMs / bareMs);
    }
  }
  return Object.fromEntries(names.map((name) => [name, { runs, handshakeRatio: median(rows[name].handshake), firstAnswerRatio: median(rows[name].firstAnswer), cpuMs: rows[name].cpuMs / runs }]));
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.slice(2).some((argument) => argument.includes("="))) {
  // `node launch.mjs [runs] old=PATH new=PATH`: the A/B.
  const executables = Object.fromEntries(process.argv.slice(2).filter((argument) => argument.includes("=")).map((argument) => argument.split(/=(.*)/s).slice(0, 2)));
  const runs = Number(process.argv.slice(2).find((argument) => /^\d+$/.test(argument)) ?? 21);
  for (const [name, row] of Object.entries(await compareLaunch({ executables, runs }))) {
    console.log(`${name}: to handshake ${row.handshakeRatio.toFixed(2)}× bare node -e, to first answer ${row.firstAnswerRatio.toFixed(2)}× (medians of ${row.runs} per-round ratios); CPU ${row.cpuMs.toFixed(0)} ms per launch`);
  }
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await measureLaunch({ executable: process.argv[3] ?? DEFAULT_EXECUTABLE, runs: Number(process.argv[2] ?? 21) });
  console.log(
    `bare node -e: ${result.bareMs.toFixed(1)} ms; provider to handshake: ${result.handshakeMs.toFixed(1)} ms (${result.handshakeRatio.toFixed(2)}×, target ≤ 1.3×); to first answer (GetProviderSchema): ${result.firstAnswerMs.toFixed(1)} ms (${result.firstAnswerRatio.toFixed(2)}×, target ≤ 1.5×); medians of ${result.runs}`,
  );
}
