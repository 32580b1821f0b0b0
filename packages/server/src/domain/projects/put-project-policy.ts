import type { ProjectPolicy, PutProjectPolicyRequest } from "@keyward/contract";
import { forbidden } from "../api-error";
import type { Caller } from "../authorization";
import { mutate } from "../mutation";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { findProject } from "./get-project";
import { effectivePolicy, presentPolicy } from "./project-policy";

/**
 * Sets the exposure response per environment (the `exposure` part of SPEC §18's policy). An
 * environment-bound token may set only its own environment's policy; an omitted environment keeps
 * what it had.
 */
export async function putProjectPolicy(
  services: Services,
  context: RequestContext & { caller: Caller },
  name: string,
  request: PutProjectPolicyRequest,
): Promise<ProjectPolicy> {
  const bound = context.caller.environment;
  for (const environment of ["live", "test"] as const) {
    if (request[environment] && bound !== null && bound !== environment) {
      throw forbidden(`this token is bound to the '${bound}' environment: it can set only that environment's policy`);
    }
  }
  return mutate(services, context, async (m) => {
    await findProject(m.stores, context.caller, name);
    const current = effectivePolicy(await m.stores.policies.get(name));
    const policy = { live: request.live ?? current.live, test: request.test ?? current.test };
    await m.stores.policies.put(name, policy, m.now);
    await m.audit({ action: "project.policy", target: name, project: name, environment: context.caller.environment, details: { live: policy.live, test: policy.test } });
    return presentPolicy(name, policy);
  });
}
