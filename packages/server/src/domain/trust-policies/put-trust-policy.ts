import { parseDuration, type PutTrustPolicyRequest, TRUST_POLICY_DEFAULT_TTL, type TrustPolicy } from "@keyward/contract";
import { ApiError, badRequest, forbidden } from "../api-error";
import type { Caller } from "../authorization";
import { mutate } from "../mutation";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { grantedBy, withinAuthority } from "./trust-policy-authority";
import { presentTrustPolicy } from "./trust-policy-view";

/**
 * Creates or replaces a trust policy (SPEC §14); `created` tells which (201 vs 200). The policy's
 * authority must lie inside the caller's (SPEC §10), and it expires with the caller.
 */
export function putTrustPolicy(
  services: Services,
  context: RequestContext & { caller: Caller },
  name: string,
  request: PutTrustPolicyRequest,
): Promise<{ created: boolean; policy: TrustPolicy }> {
  const { caller } = context;
  const authority = grantedBy(caller, request);
  const allowed = services.idTokens.issuers;
  if (!allowed.includes(request.issuer)) {
    throw badRequest("body.issuer", `must be one of the issuers this server trusts (--oidc-issuer): ${allowed.join(", ")}`);
  }
  const ttlMs = parseDuration(request.ttl ?? TRUST_POLICY_DEFAULT_TTL) as number;
  return mutate(services, context, async (m) => {
    if (authority.project && !(await m.stores.projects.get(authority.project))) {
      throw new ApiError("NOT_FOUND", `body.project: project '${authority.project}' was not found`, [{ field: "body.project", message: "must name an existing project" }]);
    }
    const existing = await m.stores.trustPolicies.get(name);
    if (existing && !withinAuthority(caller, existing)) throw forbidden(`this token cannot replace trust policy '${name}': it lies beyond the token's authority`);
    const policy = {
      name,
      issuer: request.issuer,
      audience: request.audience,
      claims: request.claims,
      scopes: [...authority.scopes],
      project: authority.project,
      environment: authority.environment,
      ttlMs,
      expiresAt: authority.expiresAt,
      createdBy: caller.id,
      createdAt: existing?.createdAt ?? m.now,
      updatedAt: m.now,
    };
    await m.stores.trustPolicies.put(policy);
    await m.audit({
      action: existing ? "trust_policy.update" : "trust_policy.create",
      target: name,
      project: policy.project,
      environment: policy.environment,
      details: { issuer: policy.issuer, audience: policy.audience, claims: policy.claims, scopes: policy.scopes, ttl: request.ttl ?? TRUST_POLICY_DEFAULT_TTL },
    });
    return { created: !existing, policy: presentTrustPolicy(policy) };
  });
}
