import type { GitHubSecrets } from "@keyward/github-secrets";
import type { Storage } from "../storage/storage";
import type { AuditCheckpointer } from "./audit/audit-checkpointer";
import type { Clock } from "./clock";
import type { IdTokenVerifier } from "./id-token-verifier";
import type { Pepper } from "./pepper";
import type { RateLimiter } from "./rate-limiter";
import type { SecretIssuer } from "./secret-issuer";
import type { UsageRecorder } from "./usage-recorder";
import type { VerificationCache } from "./verification-cache";
import type { WebhookServices } from "./webhooks/webhook-services";
import type { ChangeFeed } from "./verifier/change-feed";

/** Everything an operation may use, injected once at start-up. */
export interface Services {
  readonly storage: Storage;
  readonly pepper: Pepper;
  readonly clock: Clock;
  readonly issuer: SecretIssuer;
  readonly cache: VerificationCache;
  readonly usage: UsageRecorder;
  readonly rateLimiter: RateLimiter;
  /** Checks OIDC ID tokens for the token exchange (SPEC §14). */
  readonly idTokens: IdTokenVerifier;
  /** The audit chain's keys and signed checkpoints (SPEC §12). */
  readonly checkpoints: AuditCheckpointer;
  readonly webhooks: WebhookServices;
  /** GitHub's secrets API under the server's own token (`KEYWARD_GITHUB_TOKEN`), for the leak response's `rotate`; absent without one. */
  readonly github?: GitHubSecrets;
  /** The changes in-process verifiers follow (SPEC §16). */
  readonly verifierFeed: ChangeFeed;
}
