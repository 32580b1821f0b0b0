import Table from "cli-table3";

export type Cell = string | number | boolean | null | undefined;

/** A value as a table cell: absent values show as `-`, lists joined by commas. */
export function cellOf(value: unknown): string {
  if (value === null || value === undefined || value === "") return "-";
  if (Array.isArray(value)) return value.length === 0 ? "-" : value.map(cellOf).join(", ");
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length === 0 ? "-" : entries.map(([name, item]) => `${name}=${cellOf(item)}`).join(", ");
  }
  return String(value);
}

// No colours: output is often piped or captured, and escape codes would get in the way.
const plainStyle = { head: [], border: [] };

/**
 * Where a client command writes. Results go to stdout, as a table or (with `--json`) as JSON;
 * everything else (notices, errors) goes to stderr, so `$(keyward keys create …)` captures only
 * what was asked for.
 */
export class CliOutput {
  readonly #stdout: (text: string) => void;
  readonly #stderr: (text: string) => void;

  constructor(stdout: (text: string) => void, stderr: (text: string) => void) {
    this.#stdout = stdout;
    this.#stderr = stderr;
  }

  json(value: unknown): void {
    this.#stdout(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Rows under a header line; an empty list says so on stderr instead. */
  table(head: readonly string[], rows: readonly (readonly unknown[])[], emptyNotice: string): void {
    if (rows.length === 0) {
      this.notice(emptyNotice);
      return;
    }
    const table = new Table({ head: [...head], style: plainStyle });
    for (const row of rows) table.push(row.map(cellOf));
    this.#stdout(`${table.toString()}\n`);
  }

  /** One object as a two-column table of field and value. */
  record(fields: readonly (readonly [string, unknown])[], to: "stdout" | "stderr" = "stdout"): void {
    const table = new Table({ style: { ...plainStyle, compact: true } });
    for (const [name, value] of fields) table.push({ [name]: cellOf(value) });
    (to === "stdout" ? this.#stdout : this.#stderr)(`${table.toString()}\n`);
  }

  /** A bare line on stdout: the one place a freshly issued secret is written in human mode. */
  line(text: string): void {
    this.#stdout(`${text}\n`);
  }

  notice(text: string): void {
    this.#stderr(`${text}\n`);
  }
}
