export { Audit, type AuditListQuery } from "./audit";
export {
  type CreatedKey,
  type CreateKeyParams,
  type KeyListQuery,
  Keys,
  type KeyUsageQuery,
  type RotatedKey,
  type RotateKeyParams,
  type UpdateKeyParams,
} from "./keys";
export { CLIENT_VERSION, type ExchangedToken, type ExchangeIdTokenOptions, Keyward, type KeywardOptions, type VerifyParams } from "./keyward";
export {
  BadRequestError,
  ConflictError,
  ConnectionError,
  errorClassOf,
  errorFromResponse,
  ForbiddenError,
  InternalError,
  InvalidResponseError,
  KeywardError,
  type KeywardErrorInit,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  TimeoutError,
  type TransportErrorCode,
  UnauthorizedError,
  UnavailableError,
  UnsupportedMediaTypeError,
} from "./keyward-error";
export { type Page, PagedList } from "./paged-list";
export { type ProjectListQuery, Projects } from "./projects";
export { defaultRetryPolicy, isRetryable, parseRetryAfter, type RetryPolicy, retryDelay, withRetries } from "./retry";
export { type PutScopeResult, type ScopeListQuery, Scopes } from "./scopes";
export { type CreatedToken, type CreateTokenParams, type TokenListQuery, Tokens } from "./tokens";
export { type PutTrustPolicyParams, type PutTrustPolicyResult, TrustPolicies, type TrustPolicyListQuery } from "./trust-policies";
export type { RequestOptions } from "./transport";
export { type CreatedWebhook, type CreateWebhookParams, type DeliveryListQuery, type WebhookListQuery, Webhooks } from "./webhooks";
export { Verifier, type VerifierCheck, type VerifierOptions, type VerifierState } from "./verifier";

// The contract types a caller meets in answers, and the secret type, so users need one import.
export {
  type ApiKey,
  type AuditEvent,
  type AuditVerification,
  type CreateProjectRequest,
  type Destination,
  type Environment,
  type EnvironmentPolicy,
  type ErrorCode,
  type Health,
  type KeyStatus,
  type KeyUsage,
  type ManagementScope,
  type ManagementToken,
  type PolicyKeyShape,
  type PolicyViolation,
  policyViolations,
  type PreviousSecret,
  type Project,
  type ProjectPolicy,
  type PutScopeRequest,
  type RateLimit,
  type Rotation,
  type Scope,
  Secret,
  type TrustPolicy,
  type ValidationIssue,
  type VerificationCode,
  type VerifyResponse,
  type Webhook,
  type WebhookDelivery,
  type WebhookEventType,
  type WebhookPayload,
} from "@keyward/contract";
