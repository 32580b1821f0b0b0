// `keyward --help` vs `node -e 0` (issue 14: the CLI loaded the whole server to print help; target
// ≤ 2×). Runs alternate between the two so machine noise hits both; medians. Needs the build
// (`npm run bench` builds first).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../packages/server/bin/keyward.js", import.meta.url));
const built = fileURLToPath(new URL("../packages/server/dist/cli.js", import.meta.url));

/** ms from spawn to exit; the command must succeed and, for help, print the command list. */
function timed(args, expectOutput) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "ignore"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) return reject(new Error(`node ${args.join(" ")} exited ${code}`));
      if (expectOutput && !output.includes(expectOutput)) return reject(new Error(`node ${args.join(" ")} did not print '${expectOutput}'`));
      resolve(ms);
    });
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function measureHelp({ runs = 21 } = {}) {
  if (!existsSync(built)) throw new Error("packages/server/dist/cli.js is missing: run `node scripts/build.mjs server` first");
  await timed([bin, "--help"], "trust-policies");
  const bare = [];
  const help = [];
  for (let run = 0; run < runs; run++) {
    bare.push(await timed(["-e", "0"]));
    help.push(await timed([bin, "--help"], "trust-policies"));
  }
  const bareMs = median(bare);
  const helpMs = median(help);
  return { runs, bareMs, helpMs, ratio: helpMs / bareMs };
}

export async function run() {
  const help = await measureHelp({ runs: 21 });
  return [
    {
      row: "cli",
      measure: "keyward --help vs node -e 0 (median of 21)",
      value: `${help.helpMs.toFixed(0)} vs ${help.bareMs.toFixed(0)} ms`,
      ratio: help.ratio,
      target: "≤ 2",
      pass: help.ratio <= 2,
      detail: help,
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [row] = await run();
  console.log(`${row.measure}: ${row.value}, ratio ${row.ratio.toFixed(2)}× (target ${row.target})`);
}
