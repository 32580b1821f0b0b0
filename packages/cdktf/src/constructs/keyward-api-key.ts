import { Destination, Environment, KeyName, policyViolations } from "@keyward/contract";
import { Construct } from "constructs";
import { ApiKey, type ApiKeyDestination } from "../gen/api-key";
import { Lazy, Token } from "./cdktf";
import type { Duration } from "./duration";
import type { KeywardProject } from "./keyward-project";
import type { Rotation } from "./rotation";

/** A rate limit applied when the key is verified. */
export interface KeywardRateLimit {
  /** Verifications allowed per window. */
  readonly requests: number;
  /** The window the requests are counted over, e.g. `Duration.minutes(1)`. */
  readonly window: Duration;
}

/** What an API key is: everything but the project it belongs to. */
export interface KeywardApiKeyOptions {
  /** `test` or `live`. Changing it replaces the key (a new id and secret). */
  readonly environment: "test" | "live";
  /** The key's name, unique per project and environment; renaming updates the key in place. */
  readonly name: string;
  /**
   * Scopes the key holds. Each must be declared in the project's catalog, or synthesis fails.
   *
   * @default - no scopes
   */
  readonly scopes?: readonly string[];
  /**
   * The rotation schedule, e.g. `Rotation.every(Duration.days(30)).withGracePeriod(Duration.hours(24))`.
   * A live key must have one unless `allowUnrotated` is set.
   *
   * @default - never rotated on a schedule
   */
  readonly rotation?: Rotation;
  /**
   * Set to `true` to declare, on purpose, a live key with no rotation schedule; without it synthesis
   * fails for such a key. Has no effect on test keys, which need no schedule.
   *
   * @default false
   */
  readonly allowUnrotated?: boolean;
  /**
   * When the key stops verifying: a `Date` or an RFC 3339 time such as `2027-06-30T00:00:00Z`.
   *
   * @default - never expires
   */
  readonly expiresAt?: Date | string;
  /**
   * CIDR blocks (IPv4 or IPv6) the key may be used from.
   *
   * @default - any address
   */
  readonly ipAllowlist?: readonly string[];
  /**
   * A limit on verifications per window.
   *
   * @default - no rate limit
   */
  readonly rateLimit?: KeywardRateLimit;
  /**
   * Free-form labels, at most 32.
   *
   * @default - no labels
   */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * Arbitrary values; changing any of them rotates the key on the next apply (a new version and a new
   * secret, the previous one verifying for the grace period).
   *
   * @default - no triggers
   */
  readonly rotationTriggers?: Readonly<Record<string, string>>;
  /**
   * Where the key's secret is delivered whenever Terraform issues one (SPEC §13): GitHub repository,
   * environment or organization secrets, e.g. `{ githubSecret: { repository: "acme/billing", name: "BILLING_API_KEY" } }`.
   * A key with a destination never has its secret in the Terraform state; the provider needs
   * `githubToken` (or `GITHUB_TOKEN`).
   *
   * @default - no destinations: the secret is held in the state (the `secret` attribute)
   */
  readonly destinations?: readonly ApiKeyDestination[];
  /**
   * A write-only secret to issue (Terraform 1.11+), usually the `secret` of an ephemeral
   * `keyward_secret`; set `secretWoVersion` with it, and change that to rotate.
   *
   * @default - the key service generates the secret
   */
  readonly secretWo?: string;
  /**
   * The version of `secretWo`: set it to issue the key with that secret, change it to rotate.
   *
   * @default - no write-only secret
   */
  readonly secretWoVersion?: number;
}

/** Properties of a {@link KeywardApiKey}. */
export interface KeywardApiKeyProps extends KeywardApiKeyOptions {
  /** The project the key belongs to; its scope catalog is what the key's scopes are checked against. */
  readonly project: KeywardProject;
}

/**
 * An API key of a {@link KeywardProject}: the `keyward_api_key` resource, with its scopes checked
 * against the project's catalog and its rotation schedule checked at synthesis.
 *
 * Usually made with `project.addKey(id, options)` or the project's `keys` property.
 */
export class KeywardApiKey extends Construct {
  /** The generated `keyward_api_key` resource, for attributes this construct does not surface. */
  readonly resource: ApiKey;
  /** The key's environment. */
  readonly environment: "test" | "live";
  /** The key's name. */
  readonly keyName: string;

  /**
   * @param scope usually the key's {@link KeywardProject}
   * @param id the construct id, part of the key's Terraform address: keep it when renaming the key
   * @param props the key and its project
   */
  constructor(scope: Construct, id: string, props: KeywardApiKeyProps) {
    super(scope, id);
    this.environment = this.checkedEnvironment(props.environment);
    this.keyName = this.checkedName(props.name);
    const scopes = props.scopes ?? [];
    this.resource = new ApiKey(this, "Resource", {
      project: props.project.projectName,
      environment: this.environment,
      name: this.keyName,
      // Resolved at synthesis so a scope declared after the key is still referenced (and created first).
      scopes: Lazy.listValue({ produce: () => scopes.map((name) => props.project.scopeReference(name) ?? name) }),
      rotation: props.rotation?.toTerraform(),
      expiresAt: props.expiresAt instanceof Date ? props.expiresAt.toISOString() : props.expiresAt,
      ipAllowlist: props.ipAllowlist ? [...props.ipAllowlist] : undefined,
      rateLimit: props.rateLimit ? { requests: props.rateLimit.requests, window: props.rateLimit.window.toString() } : undefined,
      metadata: props.metadata ? { ...props.metadata } : undefined,
      rotationTriggers: props.rotationTriggers ? { ...props.rotationTriggers } : undefined,
      destination: props.destinations ? [...props.destinations] : undefined,
      secretWo: props.secretWo,
      secretWoVersion: props.secretWoVersion,
    });
    this.node.addValidation({ validate: () => this.problems(props, scopes) });
  }

  /** The key's id (`key_…`), known after apply. */
  get keyId(): string {
    return this.resource.id;
  }

  /**
   * The key's secret, known after apply and only while Terraform issued the current version (SPEC §6).
   * Sensitive: pass it on to another resource, never to an unmarked output.
   */
  get secret(): string {
    return this.resource.secret;
  }

  /** The secret's version: 1, plus one per rotation. */
  get version(): number {
    return this.resource.version;
  }

  /** The secret's prefix and last 4 characters, safe to display. */
  get hint(): string {
    return this.resource.hint;
  }

  private checkedEnvironment(environment: string): "test" | "live" {
    if (Token.isUnresolved(environment)) return environment as "test" | "live";
    const parsed = Environment.safeParse(environment);
    if (parsed.success) return parsed.data;
    throw new Error(`${this.node.path}: environment '${environment}' is invalid: it must be 'test' or 'live'`);
  }

  private checkedName(name: string): string {
    if (Token.isUnresolved(name) || KeyName.safeParse(name).success) return name;
    throw new Error(
      `${this.node.path}: key name '${name}' is invalid: it must be 1-128 characters, a letter or digit, then letters, digits or '_', '.', '-'`,
    );
  }

  /** Checks that need the whole tree (the project's final catalog), run by `app.synth()`. */
  private problems(props: KeywardApiKeyProps, scopes: readonly string[]): string[] {
    const rateLimitWindow = props.rateLimit?.window.problem("rate_limit.window");
    return [
      ...this.undeclaredScopes(props.project, scopes),
      ...(props.rotation?.problems() ?? []),
      ...(rateLimitWindow ? [rateLimitWindow] : []),
      ...this.missingRotation(props),
      ...this.invalidDestinations(props.destinations ?? []),
      ...this.policyViolations(props),
    ];
  }

  /** SPEC §18: the project's declared policy, judged by the contract's own rules; unresolved values are not judged. */
  private policyViolations(props: KeywardApiKeyProps): string[] {
    const policy = Token.isUnresolved(props.environment) ? undefined : props.project.policyFor(props.environment);
    if (!policy) return [];
    const expiresAt = props.expiresAt instanceof Date ? props.expiresAt.toISOString() : props.expiresAt;
    const rotation = props.rotation ? { every: props.rotation.period.toString(), grace_period: props.rotation.gracePeriod.toString() } : null;
    const shape = {
      expires_at: expiresAt === undefined ? null : Token.isUnresolved(expiresAt) ? undefined : expiresAt,
      rotation,
      destinations: props.destinations ?? [],
    };
    return policyViolations(policy, shape, new Date()).map(
      (violation) => `key '${this.keyName}' breaks the ${props.environment} policy of project '${props.project.name}': ${violation.field} ${violation.message}`,
    );
  }

  /** The key service's own rules (GitHub secret names, `owner/repo`, visibility), checked at synthesis. */
  private invalidDestinations(destinations: readonly ApiKeyDestination[]): string[] {
    return destinations.flatMap((destination, index) => {
      const where = `key '${this.keyName}' destinations[${index}]`;
      if (Token.isUnresolved(destination)) return [];
      const { githubSecret, githubOrgSecret } = destination;
      if (Boolean(githubSecret) === Boolean(githubOrgSecret)) return [`${where} must set exactly one of githubSecret or githubOrgSecret`];
      const form = githubSecret
        ? { type: "github_secret", repository: githubSecret.repository, name: githubSecret.name, environment: githubSecret.environment, app: githubSecret.app }
        : { type: "github_org_secret", org: githubOrgSecret!.org, name: githubOrgSecret!.name, visibility: githubOrgSecret!.visibility, selected_repositories: githubOrgSecret!.selectedRepositories, app: githubOrgSecret!.app };
      const defined = Object.fromEntries(Object.entries(form).filter(([, value]) => value !== undefined));
      if (Object.values(defined).some((value) => Token.isUnresolved(value))) return [];
      const parsed = Destination.safeParse(defined);
      return parsed.success ? [] : parsed.error.issues.map((issue) => `${where}.${issue.path.join(".") || "type"}: ${issue.message}`);
    });
  }

  private undeclaredScopes(project: KeywardProject, scopes: readonly string[]): string[] {
    const declared = project.scopeNames;
    const catalog = declared.length > 0 ? `it declares ${declared.map((name) => `'${name}'`).join(", ")}` : "it declares no scopes";
    return scopes
      .filter((name) => !Token.isUnresolved(name) && !declared.includes(name))
      .map(
        (name) =>
          `key '${this.keyName}' names scope '${name}', which project '${project.name}' does not declare (${catalog}): ` +
          `add it to the project's scopes, e.g. project.addScope("${name}", "what it allows"), or remove it from the key`,
      );
  }

  private missingRotation(props: KeywardApiKeyProps): string[] {
    if (props.environment !== "live" || props.rotation || props.allowUnrotated) return [];
    return [
      `live key '${this.keyName}' has no rotation schedule: set rotation, e.g. Rotation.every(Duration.days(30)), ` +
        "or set allowUnrotated: true to keep it unrotated on purpose",
    ];
  }
}
