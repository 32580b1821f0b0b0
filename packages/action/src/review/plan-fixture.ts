import { readFileSync } from "node:fs";

/**
 * The plan JSON fixtures beside this file, shaped like `terraform show -json <planfile>` of
 * Terraform 1.11 (`terraform-data-only` is verbatim output of the real CLI).
 */
export type PlanFixtureName =
  | "mixed-changes"
  | "clean-changes"
  | "no-changes"
  | "terraform-data-only"
  | "only-scope-widening"
  | "only-live-without-rotation"
  | "only-live-key-destroyed"
  | "only-expiry-removed"
  | "only-destination-added"
  | "only-trust-widening"
  | "only-policy";

export function planFixtureText(name: PlanFixtureName): string {
  return readFileSync(new URL(`./fixtures/${name}.plan.json`, import.meta.url), "utf8");
}

/** A fixture as a mutable object, for tests that vary one attribute. */
export function planFixture(name: PlanFixtureName): PlanJsonObject {
  return JSON.parse(planFixtureText(name)) as PlanJsonObject;
}

export interface PlanJsonObject {
  resource_changes: Array<{ address: string; change: Record<string, unknown> & { before: Record<string, unknown> | null; after: Record<string, unknown> | null } }>;
  [field: string]: unknown;
}

/** Every value the fixture's sensitivity masks mark, which a review must never show. */
export function sensitiveValues(text: string): string[] {
  const plan = JSON.parse(text) as PlanJsonObject;
  const found: string[] = [];
  for (const resource of plan.resource_changes) {
    const change = resource.change;
    collect(change.before, change.before_sensitive, found);
    collect(change.after, change.after_sensitive, found);
  }
  return [...new Set(found)].filter((value) => value.length > 0);
}

function collect(value: unknown, mask: unknown, found: string[]): void {
  if (mask === true) {
    found.push(...leaves(value));
    return;
  }
  if (typeof mask !== "object" || mask === null || typeof value !== "object" || value === null) return;
  for (const [key, inner] of Object.entries(mask)) collect((value as Record<string, unknown>)[key], inner, found);
}

function leaves(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(leaves);
  return [];
}
