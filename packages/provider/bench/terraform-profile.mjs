// Where Terraform's own CPU goes in one plan (issue 14): `perf record -g` of the terraform process,
// symbolized from the Go function table every Go binary keeps (`.gopclntab`, there even in a
// stripped release build such as Terraform's, which has no pprof switch), summed per function:
// self time, and inclusive time of Terraform's own functions. Used by plan-compare.mjs
// `--terraform-profile DIR`; needs `perf` (Debian: linux-perf).
import { execFile } from "node:child_process";
import { readFileSync, realpathSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A Go 1.18+ binary's address → function name, from its `.gopclntab` section. */
export function goSymbols(binary) {
  const file = readFileSync(binary);
  if (file.readUInt32BE(0) !== 0x7f454c46 || file[4] !== 2) throw new Error(`${binary}: not a 64-bit ELF file`);
  const sectionsAt = Number(file.readBigUInt64LE(0x28));
  const entrySize = file.readUInt16LE(0x3a);
  const count = file.readUInt16LE(0x3c);
  const names = sectionsAt + file.readUInt16LE(0x3e) * entrySize;
  const namesAt = Number(file.readBigUInt64LE(names + 0x18));
  let table;
  let textAddress = 0;
  for (let index = 0; index < count; index++) {
    const header = sectionsAt + index * entrySize;
    const nameAt = namesAt + file.readUInt32LE(header);
    const name = file.toString("latin1", nameAt, file.indexOf(0, nameAt));
    const offset = Number(file.readBigUInt64LE(header + 0x18));
    const size = Number(file.readBigUInt64LE(header + 0x20));
    if (name === ".gopclntab") table = file.subarray(offset, offset + size);
    if (name === ".text") textAddress = Number(file.readBigUInt64LE(header + 0x10)) - offset;
  }
  if (!table) throw new Error(`${binary}: no .gopclntab section (not a Go binary?)`);
  const magic = table.readUInt32LE(0);
  if (magic !== 0xfffffff0 && magic !== 0xfffffff1) throw new Error(`${binary}: Go function table of an unknown version (${magic.toString(16)})`);
  const word = (index) => Number(table.readBigUInt64LE(8 + index * 8));
  const functions = word(0);
  const textStart = word(2);
  const functionNames = word(3);
  const functionTable = word(7);
  const starts = new Float64Array(functions);
  const labels = new Array(functions);
  for (let index = 0; index < functions; index++) {
    starts[index] = textStart + table.readUInt32LE(functionTable + index * 8);
    const info = functionTable + table.readUInt32LE(functionTable + index * 8 + 4);
    const nameAt = functionNames + table.readInt32LE(info + 4);
    labels[index] = table.toString("latin1", nameAt, table.indexOf(0, nameAt));
  }
  const lookup = (address) => {
    if (address < starts[0]) return undefined;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle] <= address) low = middle;
      else high = middle - 1;
    }
    return labels[low];
  };
  // perf prints an address in the binary as its offset in the file: back to the virtual address.
  return { lookup, fileOffsetToAddress: (offset) => offset + textAddress };
}

/** `perf script` output → shares of the samples of the `terraform` process's threads. */
export function summarize(script, symbols, binary) {
  const self = new Map();
  const inclusive = new Map();
  let samples = 0;
  for (const block of script.split("\n\n")) {
    const lines = block.trim().split("\n");
    if (lines.length < 2 || lines[0].trim().split(/\s+/)[0] !== "terraform") continue;
    const frames = lines.slice(1).map((line) => {
      const [address, ...rest] = line.trim().split(/\s+/);
      const where = rest.join(" ");
      if (!where.includes(binary)) return where.replace(/\+0x[0-9a-f]+/, "").replace(/ \(.*\)$/, "");
      return symbols.lookup(symbols.fileOffsetToAddress(Number.parseInt(address, 16))) ?? "?";
    });
    samples++;
    self.set(frames[0], (self.get(frames[0]) ?? 0) + 1);
    for (const frame of new Set(frames)) inclusive.set(frame, (inclusive.get(frame) ?? 0) + 1);
  }
  const top = (counts, limit, keep = () => true) =>
    [...counts]
      .filter(([name]) => keep(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, count]) => `${((100 * count) / samples).toFixed(1).padStart(5)}%  ${name}`);
  return { samples, self: top(self, 30), inclusive: top(inclusive, 80, (name) => !name.startsWith("runtime.")) };
}

/** One `terraform plan` in `dir` under perf; the summary is written to `output` and returned. */
export async function profileTerraformPlan(dir, env, output) {
  const terraform = realpathSync((await run("sh", ["-c", "command -v terraform"], { env })).stdout.trim());
  const data = `${output}.perf.data`;
  try {
    await run("perf", ["record", "-F", "1999", "-g", "-o", data, "--", terraform, "plan", "-input=false", "-lock=false"], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    throw new Error(`perf record failed (the Terraform profile needs perf: apt-get install linux-perf): ${error.message}`);
  }
  const { stdout } = await run("perf", ["script", "-i", data, "-F", "comm,ip,sym,dso"], { maxBuffer: 1024 * 1024 * 1024 });
  const summary = summarize(stdout, goSymbols(terraform), terraform);
  await writeFile(output, [`${summary.samples} samples of terraform's own threads (1999 Hz)`, "", "self:", ...summary.self, "", "inclusive (Terraform's functions, runtime left out):", ...summary.inclusive, ""].join("\n"));
  return summary;
}

export const profileFile = (directory, name) => join(directory, `terraform-${name}.txt`);
