import type { ManagementToken } from "@keyward/contract";
import type { TokenRecord } from "../storage/token-store";

export function presentToken(token: TokenRecord): ManagementToken {
  return {
    id: token.id,
    name: token.name,
    scopes: token.scopes,
    project: token.project,
    environment: token.environment,
    hint: token.hint,
    expires_at: token.expiresAt?.toISOString() ?? null,
    created_at: token.createdAt.toISOString(),
    last_used_at: token.lastUsedAt?.toISOString() ?? null,
  };
}
