import type { ApiKey } from "@keyward/client";
import { markdownTable } from "./markdown-table";
import type { Settings } from "./settings";
import { describeDestination } from "@keyward/github-secrets";
import type { Target } from "./target";

/** What happened to one target of a key. Never holds a secret. */
export interface TargetOutcome {
  readonly target: Target;
  /** `stale`: a key not due whose secret here predates its current version. */
  readonly result: "created" | "updated" | "failed" | "skipped" | "stale";
  readonly error?: string;
}

/** What happened to one key in a rotate run. Never holds a secret. */
export interface KeyOutcome {
  /** The key as it was before the run. */
  readonly key: ApiKey;
  readonly status: "rotated" | "not-due" | "dry-run" | "rotate-failed" | "rolled-back" | "rollback-failed";
  /** The version the rotation produced (also when it was rolled back). */
  readonly version?: number;
  readonly previousExpiresAt?: string | null;
  readonly targets: readonly TargetOutcome[];
  readonly error?: string;
}

/** The `rotated` output (SPEC §7): key id, name, version, targets; never a value. */
export function rotatedOutput(outcomes: readonly KeyOutcome[]) {
  return outcomes
    .filter((outcome) => outcome.status === "rotated")
    .map(({ key, version, targets }) => ({
      id: key.id,
      project: key.project,
      environment: key.environment,
      name: key.name,
      version,
      targets: targets.map(({ target }) => ({ secret: target.secret, destination: describeDestination(target.destination) })),
    }));
}

const STATUS_TEXT: Record<KeyOutcome["status"], string> = {
  rotated: "rotated",
  "not-due": "not due, skipped",
  "dry-run": "would rotate (dry run)",
  "rotate-failed": "rotation failed, nothing changed",
  "rolled-back": "write failed, rolled back",
  "rollback-failed": "write failed, ROLLBACK FAILED",
};

function resultText(outcome: KeyOutcome): string {
  if (outcome.status !== "rotated" || !outcome.previousExpiresAt) return STATUS_TEXT[outcome.status];
  return `rotated; previous secret works until ${outcome.previousExpiresAt}`;
}

/** The job summary: one row per key and target, with names, versions and results only. */
export function rotationSummary(outcomes: readonly KeyOutcome[], settings: Pick<Settings, "dryRun" | "onlyDue">): string {
  const mode = [settings.dryRun ? "dry run" : "", settings.onlyDue ? "only keys due for rotation" : ""].filter(Boolean).join(", ");
  const rows = outcomes.flatMap((outcome) =>
    outcome.targets.map(({ target, result }) => [
      `${outcome.key.project}/${outcome.key.environment}/${outcome.key.name}`,
      outcome.key.id,
      outcome.version === undefined ? `v${outcome.key.version}` : `v${outcome.key.version} → v${outcome.version}`,
      target.secret,
      describeDestination(target.destination),
      result,
      resultText(outcome),
    ]),
  );
  return [
    `## Keyward key rotation${mode ? ` (${mode})` : ""}`,
    "",
    markdownTable(["Key", "Id", "Version", "Secret", "Where", "Write", "Result"], rows),
    "",
  ].join("\n");
}

/** The step's failure message, or undefined when every key that was meant to rotate did. */
export function rotationFailure(outcomes: readonly KeyOutcome[]): string | undefined {
  const failed = outcomes.filter((outcome) => outcome.status === "rotate-failed" || outcome.status === "rolled-back" || outcome.status === "rollback-failed");
  if (failed.length === 0) return undefined;
  const lines = failed.map((outcome) => {
    const name = `${outcome.key.project}/${outcome.key.environment}/${outcome.key.name} (${outcome.key.id})`;
    if (outcome.status === "rotate-failed") return `- ${name}: the key service refused the rotation (${outcome.error}); nothing changed.`;
    const writes = outcome.targets.filter((t) => t.result === "failed").map((t) => `${t.target.secret} in ${describeDestination(t.target.destination)} (${t.error})`);
    const written = outcome.targets.filter((t) => t.result === "created" || t.result === "updated").map((t) => `${t.target.secret} in ${describeDestination(t.target.destination)}`);
    const stale = written.length > 0 ? ` ${written.join(", ")} already received the new secret, which no longer works: run the rotation again.` : "";
    if (outcome.status === "rolled-back") return `- ${name}: could not write ${writes.join(", ")}; rolled back, the previous secret keeps working.${stale}`;
    return `- ${name}: could not write ${writes.join(", ")}, and the rollback failed (${outcome.error}); version ${outcome.version} stays current. Roll it back with 'keyward keys rollback ${outcome.key.id}' or rotate again.`;
  });
  const rotated = outcomes.filter((outcome) => outcome.status === "rotated").length;
  return `Rotation failed for ${failed.length} key(s); ${rotated} other key(s) were rotated.\n${lines.join("\n")}`;
}
