import type { ApiKey, Keyward } from "@keyward/client";
import { ActionError } from "./action-error";
import { resolveKey } from "./key-resolver";
import { markdownTable } from "./markdown-table";
import type { Runner } from "./runner";
import type { Settings } from "./settings";

export interface CheckDependencies {
  readonly keyward: Keyward;
  readonly runner: Runner;
  readonly now: () => Date;
}

export interface KeyFinding {
  readonly key: ApiKey;
  readonly overdue: boolean;
  /** Expires (or expired) before now + `expiring-within` days. */
  readonly expiring: boolean;
}

const DAY_MS = 86_400_000;

/**
 * Check mode (SPEC §7): the keys named in `targets` (every active key the token can read when
 * `targets` is empty) that are overdue for rotation or expire within `expiring-within` days, as a
 * job summary and the `overdue` / `expiring` outputs; fails per `fail-on`.
 */
export async function checkKeys(settings: Settings, deps: CheckDependencies): Promise<void> {
  const keys = await keysToCheck(settings, deps.keyward);
  const findings = keys.map((key) => assess(key, deps.now(), settings.expiringWithinDays)).filter((f) => f.overdue || f.expiring);
  const overdue = findings.filter((finding) => finding.overdue).map(({ key }) => keySummary(key));
  const expiring = findings.filter((finding) => finding.expiring).map(({ key }) => keySummary(key));
  deps.runner.setOutput("overdue", JSON.stringify(overdue));
  deps.runner.setOutput("expiring", JSON.stringify(expiring));
  deps.runner.info(`Checked ${keys.length} key(s): ${overdue.length} overdue for rotation, ${expiring.length} expiring within ${settings.expiringWithinDays} day(s).`);
  await deps.runner.summary(checkSummary(keys.length, findings, settings.expiringWithinDays));

  const broken = [
    settings.failOn.includes("overdue") && overdue.length > 0 ? `overdue for rotation: ${overdue.map(label).join(", ")}` : "",
    settings.failOn.includes("expiring") && expiring.length > 0 ? `expiring within ${settings.expiringWithinDays} day(s): ${expiring.map(label).join(", ")}` : "",
  ].filter(Boolean);
  if (broken.length > 0) throw new ActionError(`Key check failed (fail-on: ${settings.failOn.join(",")}). ${broken.join("; ")}.`);
}

export function assess(key: ApiKey, now: Date, expiringWithinDays: number): KeyFinding {
  const nextRotation = key.next_rotation_at ? Date.parse(key.next_rotation_at) : undefined;
  const overdue = key.status === "active" && (key.rotation_due || (nextRotation !== undefined && nextRotation <= now.getTime()));
  const expiresAt = key.expires_at ? Date.parse(key.expires_at) : undefined;
  const expiring = key.status !== "revoked" && expiresAt !== undefined && expiresAt <= now.getTime() + expiringWithinDays * DAY_MS;
  return { key, overdue, expiring };
}

async function keysToCheck(settings: Settings, keyward: Keyward): Promise<ApiKey[]> {
  if (settings.targets.length === 0) return keyward.keys.list({ status: "active" }).toArray();
  const keys = new Map<string, ApiKey>();
  for (const target of settings.targets) {
    const key = await resolveKey(keyward, target.key);
    keys.set(key.id, key);
  }
  return [...keys.values()];
}

function keySummary(key: ApiKey) {
  return {
    id: key.id,
    project: key.project,
    environment: key.environment,
    name: key.name,
    next_rotation_at: key.next_rotation_at,
    expires_at: key.expires_at,
  };
}

function label(key: { project: string; environment: string; name: string }): string {
  return `${key.project}/${key.environment}/${key.name}`;
}

function checkSummary(checked: number, findings: readonly KeyFinding[], days: number): string {
  const heading = `## Keyward key check\n\n${checked} key(s) checked; ${findings.length} need attention (overdue for rotation, or expiring within ${days} day(s)).\n`;
  if (findings.length === 0) return `${heading}\n`;
  const rows = findings.map(({ key, overdue, expiring }) => [
    label(key),
    key.id,
    key.status,
    key.next_rotation_at ?? "no schedule",
    key.expires_at ?? "never",
    [overdue ? "overdue for rotation" : "", expiring ? "expiring" : ""].filter(Boolean).join(", "),
  ]);
  return `${heading}\n${markdownTable(["Key", "Id", "Status", "Next rotation", "Expires", "Finding"], rows)}\n`;
}
