import { type EnvironmentPolicy, ProjectName, ScopeName } from "@keyward/contract";
import { Construct } from "constructs";
import { Project } from "../gen/project";
import { ProjectPolicy } from "../gen/project-policy";
import { Scope } from "../gen/scope";
import { Token } from "./cdktf";
import { KeywardApiKey, type KeywardApiKeyOptions } from "./keyward-api-key";
import { environmentPolicyOf, type KeywardProjectPolicy, terraformEnvironmentPolicy } from "./keyward-project-policy";

/** Properties of a {@link KeywardProject}. */
export interface KeywardProjectProps {
  /**
   * The project's name, e.g. `billing-api`: a lowercase letter, then lowercase letters, digits or `-`
   * (2-63 characters). Changing it replaces the project.
   */
  readonly name: string;
  /**
   * What the project is for.
   *
   * @default - no description
   */
  readonly description?: string;
  /**
   * The scope catalog: scope name to description, e.g. `{ "invoices:read": "Read invoices" }`. Keys may
   * hold only these scopes. More can be added with {@link KeywardProject.addScope}.
   *
   * @default - no scopes
   */
  readonly scopes?: Readonly<Record<string, string>>;
  /**
   * The project's API keys, by construct id, e.g. `{ Deployer: { environment: "live", name: "ci-deployer", … } }`.
   * The construct id is part of the key's Terraform address: keep it when renaming the key. More can be
   * added with {@link KeywardProject.addKey}.
   *
   * @default - no keys
   */
  readonly keys?: Readonly<Record<string, KeywardApiKeyOptions>>;
  /**
   * The project's key policy per environment (SPEC §18), e.g.
   * `{ live: { requireRotation: true, maxRotationEvery: Duration.days(90) } }`: a `keyward_project_policy`
   * resource (construct id `Policy`), and synthesis fails, naming the key's construct path and the rule,
   * when a key of this project breaks it.
   *
   * @default - no policy resource: the project keeps whatever policy the key service has
   */
  readonly policy?: KeywardProjectPolicy;
}

/**
 * A Keyward project declared together with its scope catalog and its API keys.
 *
 * Synthesis fails, naming the key's construct path and the offending value, when a key names a scope
 * the catalog does not declare, when a duration is malformed, or when a live key has no rotation
 * schedule and does not set `allowUnrotated`, or when a key breaks the declared `policy`.
 *
 * @example
 * const billing = new KeywardProject(stack, "Billing", {
 *   name: "billing-api",
 *   scopes: { "invoices:read": "Read invoices" },
 * });
 * billing.addKey("Deployer", {
 *   environment: "live",
 *   name: "ci-deployer",
 *   scopes: ["invoices:read"],
 *   rotation: Rotation.every(Duration.days(30)).withGracePeriod(Duration.hours(24)),
 * });
 */
export class KeywardProject extends Construct {
  /** The generated `keyward_project` resource, for attributes this construct does not surface. */
  readonly resource: Project;
  /** The project's name as written in the props. */
  readonly name: string;
  /** The generated `keyward_project_policy` resource, when the props declare a policy. */
  readonly policyResource: ProjectPolicy | undefined;
  private readonly scopeResources = new Map<string, Scope>();
  private readonly policy: KeywardProjectPolicy | undefined;

  /**
   * @param scope the stack (or any construct in it)
   * @param id the construct id, part of the Terraform addresses of the project, its scopes and keys
   * @param props the project, its scope catalog and its keys
   */
  constructor(scope: Construct, id: string, props: KeywardProjectProps) {
    super(scope, id);
    this.name = this.checkedName(props.name);
    this.resource = new Project(this, "Resource", { name: this.name, description: props.description });
    this.policy = props.policy;
    this.policyResource = props.policy
      ? new ProjectPolicy(this, "Policy", { project: this.projectName, live: terraformEnvironmentPolicy(props.policy.live), test: terraformEnvironmentPolicy(props.policy.test) })
      : undefined;
    for (const [name, description] of Object.entries(props.scopes ?? {})) this.addScope(name, description);
    for (const [keyId, options] of Object.entries(props.keys ?? {})) this.addKey(keyId, options);
  }

  /** The project's name as a reference to the `keyward_project` resource, so dependents are ordered after it. */
  get projectName(): string {
    return this.resource.name;
  }

  /**
   * The declared policy of one environment as the key service spells it; undefined when the props
   * declare no policy (the keys are then checked by the key service alone, at apply).
   */
  policyFor(environment: "test" | "live"): EnvironmentPolicy | undefined {
    return this.policy ? environmentPolicyOf(this.policy[environment]) : undefined;
  }

  /** The scope names declared so far, in declaration order. */
  get scopeNames(): string[] {
    return [...this.scopeResources.keys()];
  }

  /**
   * Declares a scope in the project's catalog (a `keyward_scope` resource with construct id `Scope-<name>`).
   *
   * @param name the scope's name, e.g. `invoices:read`
   * @param description what the scope allows (no description unless given)
   */
  addScope(name: string, description?: string): Scope {
    this.checkScopeName(name);
    if (this.scopeResources.has(name)) {
      throw new Error(`${this.node.path}: scope '${name}' is declared twice: declare each scope once`);
    }
    const resource = new Scope(this, `Scope-${name}`, { project: this.projectName, name, description });
    this.scopeResources.set(name, resource);
    return resource;
  }

  /**
   * Declares an API key of this project.
   *
   * @param id the key's construct id, part of its Terraform address: keep it when renaming the key
   * @param options what the key is
   */
  addKey(id: string, options: KeywardApiKeyOptions): KeywardApiKey {
    const key = new KeywardApiKey(this, id, { ...options, project: this });
    // The key service judges a key against the policy in force, so the policy is set first.
    if (this.policyResource) key.resource.dependsOn = [...(key.resource.dependsOn ?? []), this.policyResource.fqn];
    return key;
  }

  /**
   * The declared scope's name as a reference to its `keyward_scope` resource, so that a key holding it
   * is created after it and destroyed before it; `undefined` when the catalog does not declare it.
   */
  scopeReference(name: string): string | undefined {
    return this.scopeResources.get(name)?.name;
  }

  private checkedName(name: string): string {
    if (Token.isUnresolved(name) || ProjectName.safeParse(name).success) return name;
    throw new Error(
      `${this.node.path}: project name '${name}' is invalid: it must be 2-63 characters, a lowercase letter, then lowercase letters, digits or '-' (e.g. 'billing-api')`,
    );
  }

  private checkScopeName(name: string): void {
    if (Token.isUnresolved(name) || ScopeName.safeParse(name).success) return;
    throw new Error(
      `${this.node.path}: scope name '${name}' is invalid: it must be 1-128 characters, a lowercase letter, then lowercase letters, digits or '_', '.', ':', '-' (e.g. 'invoices:read')`,
    );
  }
}
