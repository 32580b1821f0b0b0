import type { z } from "zod";
import { ActionError } from "../action-error";
import { TerraformPlan } from "./terraform-plan";

const EXPECTED = "Expected the output of `terraform show -json <planfile>`";

/** A `plan-json` input that is not a Terraform plan; the message names the input and what it expects. */
export class PlanJsonError extends ActionError {}

/**
 * Parses the text of `terraform show -json <planfile>`. The messages never quote the text itself:
 * plan JSON carries sensitive values in plain text, and V8's own JSON.parse message would echo a
 * slice of it.
 */
export function parsePlanJson(text: string, source: string): TerraformPlan {
  const json = parseJson(text, source);
  const plan = TerraformPlan.safeParse(json);
  if (!plan.success) {
    throw new PlanJsonError(`Input 'plan-json' (${source}) is not a Terraform plan: ${describeIssues(plan.error)}. ${EXPECTED}.`);
  }
  return plan.data;
}

function parseJson(text: string, source: string): unknown {
  if (text.trim() === "") throw new PlanJsonError(`Input 'plan-json' (${source}) is empty. ${EXPECTED}.`);
  try {
    return JSON.parse(text);
  } catch {
    throw new PlanJsonError(`Input 'plan-json' (${source}) is not valid JSON. ${EXPECTED}.`);
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(top level)"} ${issue.message}`)
    .join("; ");
}
