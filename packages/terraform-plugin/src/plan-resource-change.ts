import type { AttributePath } from "./attribute-path";
import { Diagnostics, type Diagnostic } from "./diagnostic";
import type { OperationContext, ResourceDefinition } from "./provider-definition";
import type { AttributeSchema } from "./schema";
import { isObjectValue, isWhollyKnown, UNKNOWN, valuesEqual, type ObjectValue } from "./value";

/**
 * The planning rules Go's plugin framework applies for its providers, which Terraform core checks
 * and rejects with "Provider produced invalid plan" when broken:
 * - a non-computed attribute is planned as configured;
 * - a computed attribute left out of the configuration is unknown on create and keeps its prior
 *   value on update (the resource's `plan` marks the ones an update changes);
 * - a change to a `requiresReplace` attribute is reported so Terraform plans a replacement.
 */
export interface PlannedChange {
  readonly planned: ObjectValue | null;
  readonly requiresReplace: AttributePath[];
  readonly diagnostics: Diagnostic[];
}

type Attributes = { readonly [name: string]: AttributeSchema };

function defaultPlan(attributes: Attributes, proposed: ObjectValue, config: ObjectValue, creating: boolean): ObjectValue {
  const planned: ObjectValue = { ...proposed };
  for (const [name, attribute] of Object.entries(attributes)) {
    const configured = config[name] ?? null;
    // Terraform requires write-only values to be null in every plan and state.
    if (attribute.writeOnly) {
      planned[name] = null;
      continue;
    }
    if (attribute.computed && configured === null) {
      planned[name] = creating ? UNKNOWN : (proposed[name] ?? null);
      continue;
    }
    const proposedValue = proposed[name] ?? null;
    if (attribute.attributes && isObjectValue(proposedValue) && isObjectValue(configured)) {
      planned[name] = defaultPlan(attribute.attributes, proposedValue, configured, creating);
    }
  }
  return planned;
}

function replacedAttributes(attributes: Attributes, prior: ObjectValue, planned: ObjectValue): AttributePath[] {
  return Object.entries(attributes)
    .filter(([name, attribute]) => attribute.requiresReplace && !valuesEqual(prior[name] ?? null, planned[name] ?? null))
    .map(([name]) => [name]);
}

/** A resource's plan may only move computed attributes away from the configuration. */
function configurationDrift(attributes: Attributes, planned: ObjectValue, config: ObjectValue): string[] {
  return Object.entries(attributes)
    .filter(([name, attribute]) => !attribute.computed && !attribute.writeOnly && !valuesEqual(planned[name] ?? null, config[name] ?? null))
    .map(([name]) => name);
}

export async function planResourceChange<Client>(
  resource: ResourceDefinition<Client>,
  context: OperationContext<Client> | undefined,
  request: { prior: ObjectValue | null; proposed: ObjectValue | null; config: ObjectValue | null },
): Promise<PlannedChange> {
  const { prior, proposed, config } = request;
  if (proposed === null || config === null) return { planned: null, requiresReplace: [], diagnostics: [] };
  const attributes = resource.schema.attributes;
  const diagnostics = resource.validate?.(config) ?? [];
  if (diagnostics.some((diagnostic) => diagnostic.severity === "error")) return { planned: null, requiresReplace: [], diagnostics };

  let planned = defaultPlan(attributes, proposed, config, prior === null);
  const requiresReplace: AttributePath[] = [];
  if (resource.plan) {
    // Planning without a configured provider happens when provider configuration is unknown.
    if (!context) return { planned, requiresReplace: prior ? replacedAttributes(attributes, prior, planned) : [], diagnostics };
    const adjustment = await resource.plan(context, { prior, config, planned });
    if (adjustment?.planned) planned = adjustment.planned;
    requiresReplace.push(...(adjustment?.requiresReplace ?? []));
    diagnostics.push(...(adjustment?.diagnostics ?? []));
  }
  const drifted = configurationDrift(attributes, planned, config);
  if (drifted.length > 0) {
    diagnostics.push(Diagnostics.providerBug("Invalid plan", `The plan of ${resource.typeName} changed configured attributes: ${drifted.join(", ")}.`));
  }
  if (prior) requiresReplace.push(...replacedAttributes(attributes, prior, planned));
  return { planned, requiresReplace, diagnostics };
}

/**
 * The applied object must match every value the plan promised; where the plan knew a value, it
 * wins (the remote API may spell an equal value differently, e.g. reorder a set).
 */
export function settleAppliedState(planned: ObjectValue, applied: ObjectValue): ObjectValue {
  const settled: ObjectValue = { ...applied };
  for (const [name, value] of Object.entries(planned)) {
    if (isWhollyKnown(value)) settled[name] = value;
  }
  return settled;
}
