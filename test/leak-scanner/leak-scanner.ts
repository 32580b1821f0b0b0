import { RunnerMasker, rfc3986Escape } from "./runner-masker";

/**
 * Finds secrets in what a workflow step leaves behind (SPEC §9 leak scan, issue 5 acceptance 2).
 * The output streams are first masked as the runner would mask them, then every byte of them and
 * of the `GITHUB_*` files is searched for each secret in every form an attacker could decode:
 * plain, base64 (with and without a trailing newline, at any byte alignment so it is found inside
 * `user:secret` too), base64url, hex, URL- and JSON-escaped.
 */

export interface NamedSecret {
  /** What the secret is, for the report (`new secret of ci-deployer`); never the value. */
  readonly label: string;
  readonly value: string;
}

export interface StepOutput {
  readonly stdout: string;
  readonly stderr: string;
  /** `GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_STATE`, `GITHUB_STEP_SUMMARY`, … by name. */
  readonly files: Readonly<Record<string, string>>;
}

export interface Leak {
  readonly secret: string;
  readonly form: string;
  readonly source: string;
  readonly line: number;
  readonly column: number;
}

export interface SecretForm {
  readonly form: string;
  readonly text: string;
}

/** Shorter needles would match by chance; every Keyward secret is far longer. */
const MIN_NEEDLE = 8;

export function secretForms(value: string): SecretForm[] {
  const bytes = Buffer.from(value, "utf8");
  const withNewline = Buffer.from(`${value}\n`, "utf8");
  const forms: SecretForm[] = [
    { form: "plain", text: value },
    { form: "base64", text: bytes.toString("base64") },
    { form: "base64 with trailing newline", text: withNewline.toString("base64") },
    { form: "base64url", text: bytes.toString("base64url") },
    { form: "base64url with trailing newline", text: withNewline.toString("base64url") },
    ...[0, 1, 2].flatMap((offset) => [
      { form: `base64 inside other text (alignment ${offset})`, text: alignedBase64Core(bytes, offset, "base64") },
      { form: `base64url inside other text (alignment ${offset})`, text: alignedBase64Core(bytes, offset, "base64url") },
    ]),
    { form: "hex", text: bytes.toString("hex") },
    { form: "hex (upper-case)", text: bytes.toString("hex").toUpperCase() },
    { form: "URL-escaped", text: encodeURIComponent(value) },
    { form: "URL-escaped (RFC 3986)", text: rfc3986Escape(value) },
    { form: "JSON-escaped", text: JSON.stringify(value).slice(1, -1) },
  ];
  const seen = new Set<string>();
  return forms.filter(({ text }) => text.length >= MIN_NEEDLE && !seen.has(text) && seen.add(text));
}

/**
 * The base64 characters that depend only on the secret's bytes when it is encoded after `offset`
 * bytes of other text (mod 3): present whatever surrounds it.
 */
function alignedBase64Core(bytes: Buffer, offset: number, encoding: "base64" | "base64url"): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes, Buffer.alloc(3)]).toString(encoding);
  const start = [0, 2, 3][offset]!;
  const end = Math.floor(((offset + bytes.length) * 4) / 3);
  return encoded.slice(start, end);
}

/** Every occurrence of every form of every secret in `texts`. */
export function findLeaks(secrets: readonly NamedSecret[], texts: Readonly<Record<string, string>>): Leak[] {
  const leaks: Leak[] = [];
  for (const secret of secrets) {
    for (const { form, text: needle } of secretForms(secret.value)) {
      for (const [source, haystack] of Object.entries(texts)) {
        for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
          leaks.push({ secret: secret.label, form, source, ...position(haystack, at) });
        }
      }
    }
  }
  return leaks;
}

/**
 * Leaks in a step's output as a reader of the job log and the files would find them. stdout and
 * stderr are read independently by the runner with no ordering between them, so each stream is
 * masked only with the values registered in that stream before the line was written.
 *
 * With `relyOnMasking: false` nothing is masked (only `::add-mask::` lines, which the runner never
 * shows, are dropped): the stricter check that the step never printed a secret at all, so that it
 * stays safe under runners and local tools that mask less.
 */
export function scanForLeaks(secrets: readonly NamedSecret[], output: StepOutput, options: { relyOnMasking?: boolean } = {}): Leak[] {
  const show = (stream: string) => (options.relyOnMasking === false ? dropMaskCommands(stream) : new RunnerMasker().process(stream));
  const texts: Record<string, string> = { stdout: show(output.stdout), stderr: show(output.stderr) };
  for (const [name, content] of Object.entries(output.files)) texts[name] = content;
  return findLeaks(secrets, texts);
}

function dropMaskCommands(stream: string): string {
  return stream
    .split("\n")
    .map((line) => (line.startsWith("::add-mask::") ? "" : line))
    .join("\n");
}

/** A report line per leak for an assertion message; names forms and places, never values. */
export function describeLeaks(leaks: readonly Leak[]): string {
  return leaks.map((leak) => `${leak.secret} as ${leak.form} in ${leak.source} at ${leak.line}:${leak.column}`).join("\n");
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}
