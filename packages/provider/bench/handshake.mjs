// Provider launch to handshake vs a bare `node -e` start (SPEC §8, issue 3 acceptance 7).
// `node packages/provider/bench/handshake.mjs [runs]` after `npm run build`; or import
// `measureHandshake` from bench/run.mjs. Runs alternate between the two so machine noise hits both.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
// Any certificate will do: the provider only parses it when Terraform connects.
const CLIENT_CERT = `-----BEGIN CERTIFICATE-----
MIIBfDCCASOgAwIBAgIUcA3o3/I1GmsYOUkQMiKRiZPxt2AwCgYIKoZIzj0EAwIw
-----END CERTIFICATE-----
`;

function timeToFirstLine(command, args, env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "ignore"] });
    child.on("error", reject);
    child.stdout.once("data", () => {
      resolve(Number(process.hrtime.bigint() - started) / 1e6);
      child.kill();
    });
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function measureHandshake({ executable = fileURLToPath(new URL("../dist/terraform-provider-keyward.js", import.meta.url)), runs = 21 } = {}) {
  const bare = [];
  const provider = [];
  const pluginEnv = { TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE, PLUGIN_PROTOCOL_VERSIONS: "5,6", PLUGIN_CLIENT_CERT: CLIENT_CERT };
  for (let run = 0; run < runs; run++) {
    bare.push(await timeToFirstLine(process.execPath, ["-e", "process.stdout.write('ready\\n')"], {}));
    provider.push(await timeToFirstLine(executable, [], pluginEnv));
  }
  const bareMs = median(bare);
  const providerMs = median(provider);
  return { runs, bareMs, providerMs, ratio: providerMs / bareMs };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await measureHandshake({ runs: Number(process.argv[2] ?? 21) });
  console.log(
    `provider launch to handshake: ${result.providerMs.toFixed(1)} ms (median of ${result.runs}); bare node -e: ${result.bareMs.toFixed(1)} ms; ratio ${result.ratio.toFixed(2)}× (target ≤ 1.3×)`,
  );
}
