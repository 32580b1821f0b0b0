import { AuditStore } from "./audit-store";
import type { Queryable } from "./database";
import { IdempotencyStore } from "./idempotency-store";
import { KeyNoticeStore } from "./key-notice-store";
import { KeyStore } from "./key-store";
import { LastUseStore } from "./last-use-store";
import { ProjectPolicyStore } from "./project-policy-store";
import { ProjectStore } from "./project-store";
import { RateLimitStore } from "./rate-limit-store";
import { ScopeStore } from "./scope-store";
import { SecretStore } from "./secret-store";
import { SettingsStore } from "./settings-store";
import { TokenStore } from "./token-store";
import { TrustPolicyStore } from "./trust-policy-store";
import { UsageStore } from "./usage-store";
import { WebhookDeliveryStore } from "./webhook-delivery-store";
import { WebhookStore } from "./webhook-store";
import { VerifierStore } from "./verifier-store";

/** Every table's operations over one connection or one transaction. */
export class Stores {
  readonly projects: ProjectStore;
  readonly scopes: ScopeStore;
  readonly keys: KeyStore;
  readonly secrets: SecretStore;
  readonly tokens: TokenStore;
  readonly audit: AuditStore;
  readonly usage: UsageStore;
  readonly lastUses: LastUseStore;
  readonly idempotency: IdempotencyStore;
  readonly settings: SettingsStore;
  readonly trustPolicies: TrustPolicyStore;
  readonly rateLimits: RateLimitStore;
  readonly webhooks: WebhookStore;
  readonly deliveries: WebhookDeliveryStore;
  readonly keyNotices: KeyNoticeStore;
  readonly policies: ProjectPolicyStore;
  readonly verifier: VerifierStore;

  constructor(private readonly db: Queryable) {
    this.projects = new ProjectStore(db);
    this.scopes = new ScopeStore(db);
    this.keys = new KeyStore(db);
    this.secrets = new SecretStore(db);
    this.tokens = new TokenStore(db);
    this.audit = new AuditStore(db);
    this.usage = new UsageStore(db);
    this.lastUses = new LastUseStore(db);
    this.idempotency = new IdempotencyStore(db);
    this.settings = new SettingsStore(db);
    this.trustPolicies = new TrustPolicyStore(db);
    this.rateLimits = new RateLimitStore(db);
    this.webhooks = new WebhookStore(db);
    this.deliveries = new WebhookDeliveryStore(db);
    this.keyNotices = new KeyNoticeStore(db);
    this.policies = new ProjectPolicyStore(db);
    this.verifier = new VerifierStore(db);
  }

  /** Delivered to every listening instance when (and only if) the transaction commits. */
  async notify(channel: string, payload: string): Promise<void> {
    await this.db.query("SELECT pg_notify($1, $2)", [channel, payload]);
  }
}
