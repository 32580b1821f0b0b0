import type { ApiKey, Keyward } from "@keyward/client";
import { ActionError } from "./action-error";
import { type PolicyBreach, policyBreaches, type PreviousInUse, previousSecretsInUse } from "./key-policy-audit";
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
 * `targets` is empty) that are overdue for rotation or expire within `expiring-within` days, that
 * break their project's policy (SPEC §18: one tightened after they were created), and previous
 * secrets still used after their grace period started; as a job summary and the `overdue`,
 * `expiring`, `policy` and `previous-in-use` outputs; fails per `fail-on`.
 */
export async function checkKeys(settings: Settings, deps: CheckDependencies): Promise<void> {
  const keys = await keysToCheck(settings, deps.keyward);
  const findings = keys.map((key) => assess(key, deps.now(), settings.expiringWithinDays)).filter((f) => f.overdue || f.expiring);
  const overdue = findings.filter((finding) => finding.overdue).map(({ key }) => keySummary(key));
  const expiring = findings.filter((finding) => finding.expiring).map(({ key }) => keySummary(key));
  const breaches = await policyBreaches(deps.keyward, keys, deps.now());
  const stillUsed = await previousSecretsInUse(deps.keyward, keys);
  deps.runner.setOutput("overdue", JSON.stringify(overdue));
  deps.runner.setOutput("expiring", JSON.stringify(expiring));
  deps.runner.setOutput("policy", JSON.stringify(breaches.map(({ key, violations }) => ({ ...keySummary(key), violations: violations.map((violation) => ({ rule: violation.rule, field: violation.field })) }))));
  deps.runner.setOutput("previous-in-use", JSON.stringify(stillUsed.map(({ key, previous }) => ({ ...keySummary(key), previous }))));
  deps.runner.info(
    `Checked ${keys.length} key(s): ${overdue.length} overdue for rotation, ${expiring.length} expiring within ${settings.expiringWithinDays} day(s), ` +
      `${breaches.length} breaking a policy, ${stillUsed.length} previous secret(s) still in use.`,
  );
  await deps.runner.summary(checkSummary(keys.length, findings, settings.expiringWithinDays) + policySummary(breaches) + previousSummary(stillUsed));

  const broken = [
    settings.failOn.includes("overdue") && overdue.length > 0 ? `overdue for rotation: ${overdue.map(label).join(", ")}` : "",
    settings.failOn.includes("expiring") && expiring.length > 0 ? `expiring within ${settings.expiringWithinDays} day(s): ${expiring.map(label).join(", ")}` : "",
    settings.failOn.includes("policy") && breaches.length > 0 ? `breaking their project's policy: ${breaches.map(({ key }) => label(key)).join(", ")}` : "",
    settings.failOn.includes("previous-in-use") && stillUsed.length > 0 ? `previous secret still in use: ${stillUsed.map(({ key }) => label(key)).join(", ")}` : "",
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

function policySummary(breaches: readonly PolicyBreach[]): string {
  if (breaches.length === 0) return "";
  const rows = breaches.map(({ key, violations }) => [label(key), key.id, violations.map((violation) => `${violation.field} ${violation.message}`).join("; ")]);
  return `\n### Keys breaking their project's policy\n\n${markdownTable(["Key", "Id", "Broken rules"], rows)}\n`;
}

function previousSummary(found: readonly PreviousInUse[]): string {
  if (found.length === 0) return "";
  const rows = found.map(({ key, previous }) => [
    label(key),
    key.id,
    String(previous.version),
    previous.last_used_at ?? "never",
    previous.last_used_ip ?? "unknown",
    previous.expires_at ?? "never",
  ]);
  return `\n### Previous secrets still in use after their grace started\n\n${markdownTable(["Key", "Id", "Previous version", "Last used", "Last IP", "Stops verifying"], rows)}\n`;
}
