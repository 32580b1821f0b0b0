/**
 * What the GitHub Actions runner does to a step's output before anyone sees it, so a test can
 * judge the log a reader of the job would get (actions/runner SecretMasker and ValueEncoders; see
 * shared notes "Masking"):
 *
 * - `::add-mask::v` registers `v` (and each trimmed line of it) and is not shown;
 * - every later line has every registered value, and these encodings of it, replaced by `***`:
 *   base64 (also of the value minus its first 1 or 2 bytes), `"`→`\"`, `'`→`''`, JSON string
 *   escaping, RFC 3986 URL escaping, XML escaping, the value without surrounding double quotes;
 * - a workflow command's message is masked, its properties (an annotation title) are not.
 *
 * Matching is ordinal and case-sensitive; nothing else is masked (not hex, not base64 of the value
 * plus a newline). Lines written before a value is registered stay as they were.
 */
export class RunnerMasker {
  readonly #values = new Set<string>();

  register(value: string): void {
    for (const candidate of [value, ...value.split(/\r?\n/).map((line) => line.trim())]) {
      if (candidate === "") continue;
      for (const encoded of encodings(candidate)) if (encoded !== "") this.#values.add(encoded);
    }
  }

  get registered(): number {
    return this.#values.size;
  }

  mask(text: string): string {
    const ranges: Array<[number, number]> = [];
    for (const value of this.#values) {
      for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) ranges.push([at, at + value.length]);
    }
    return replaceRanges(text, mergeRanges(ranges));
  }

  /**
   * The log a reader sees for one output stream, processing workflow commands line by line in the
   * order written. The masker is shared by the streams of one job.
   */
  process(stream: string): string {
    return stream
      .split("\n")
      .flatMap((line) => this.#processLine(line))
      .join("\n");
  }

  #processLine(line: string): string[] {
    const command = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/s.exec(line);
    if (!command) return [this.mask(line)];
    const [, name, properties = "", data = ""] = command;
    if (name === "add-mask") {
      this.register(unescapeData(data));
      return [];
    }
    // The runner renders annotations with their properties untouched and the message masked.
    const shownProperties = properties ? `${unescapeProperty(properties)} ` : "";
    return [`##[${name}]${shownProperties}${this.mask(unescapeData(data))}`];
  }
}

function encodings(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  return [
    value,
    bytes.toString("base64"),
    bytes.length > 1 ? bytes.subarray(1).toString("base64") : "",
    bytes.length > 2 ? bytes.subarray(2).toString("base64") : "",
    value.replaceAll('"', '\\"'),
    value.replaceAll("'", "''"),
    JSON.stringify(value).slice(1, -1),
    rfc3986Escape(value),
    value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&apos;"),
    value.length > 1 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : "",
  ];
}

/** .NET `Uri.EscapeDataString`: everything but RFC 3986 unreserved characters. */
export function rfc3986Escape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function unescapeData(data: string): string {
  return data.replaceAll("%0D", "\r").replaceAll("%0A", "\n").replaceAll("%25", "%");
}

function unescapeProperty(property: string): string {
  return unescapeData(property).replaceAll("%3A", ":").replaceAll("%2C", ",");
}

function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([...range]);
  }
  return merged;
}

function replaceRanges(text: string, ranges: Array<[number, number]>): string {
  let out = "";
  let from = 0;
  for (const [start, end] of ranges) {
    out += `${text.slice(from, start)}***`;
    from = end;
  }
  return out + text.slice(from);
}
