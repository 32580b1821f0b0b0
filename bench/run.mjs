// `npm run bench` (after the build): runs each row module, prints one table, writes bench/results.json.
// A row module exports `run(options) → [{row, measure, value, ratio, target, pass, detail?}]`;
// add one to `modules` to add rows (provider, action…).
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { requireWrk } from "./wrk.mjs";

// The HTTP rows need wrk; without it, stop before measuring anything (`npm run bench` checks before the build too).
try {
  requireWrk();
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const modules = ["./verify.mjs", "./in-process.mjs", "./provider.mjs", "./action.mjs", "./cli.mjs"];
const seconds = Number(process.env.BENCH_SECONDS ?? 10);

const rows = [];
for (const module of modules) {
  // A module that fails still leaves the other rows measured: its row says why, and the run exits 1.
  try {
    const { run } = await import(module);
    rows.push(...(await run({ seconds })));
  } catch (error) {
    process.exitCode = 1;
    process.stderr.write(`${module} failed: ${error.stack ?? error}\n`);
    rows.push({ row: module.replace(/^\.\/|\.mjs$/g, ""), measure: "(the module failed: see the error above)", value: String(error.message ?? error), ratio: Number.NaN, target: "runs", pass: false });
  }
}

const table = [["row", "measure", "value", "ratio", "target", "ok"], ...rows.map((r) => [r.row, r.measure, r.value, r.ratio.toFixed(2), r.target, r.pass ? "yes" : "NO"])];
const widths = table[0].map((_, column) => Math.max(...table.map((line) => String(line[column]).length)));
for (const [index, line] of table.entries()) {
  process.stdout.write(`${line.map((cell, column) => String(cell).padEnd(widths[column])).join("  ")}\n`);
  if (index === 0) process.stdout.write(`${widths.map((width) => "-".repeat(width)).join("  ")}\n`);
}
const results = { date: new Date().toISOString(), node: process.version, seconds, rows };
await writeFile(fileURLToPath(new URL("./results.json", import.meta.url)), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write("written bench/results.json\n");
