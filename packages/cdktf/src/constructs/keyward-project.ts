import { ProjectName, ScopeName } from "@keyward/contract";
import { Construct } from "constructs";
import { Project } from "../gen/project";
import { Scope } from "../gen/scope";
import { Token } from "./cdktf";
import { KeywardApiKey, type KeywardApiKeyOptions } from "./keyward-api-key";

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
}

/**
 * A Keyward project declared together with its scope catalog and its API keys.
 *
 * Synthesis fails, naming the key's construct path and the offending value, when a key names a scope
 * the catalog does not declare, when a duration is malformed, or when a live key has no rotation
 * schedule and does not set `allowUnrotated`.
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
  private readonly scopeResources = new Map<string, Scope>();

  /**
   * @param scope the stack (or any construct in it)
   * @param id the construct id, part of the Terraform addresses of the project, its scopes and keys
   * @param props the project, its scope catalog and its keys
   */
  constructor(scope: Construct, id: string, props: KeywardProjectProps) {
    super(scope, id);
    this.name = this.checkedName(props.name);
    this.resource = new Project(this, "Resource", { name: this.name, description: props.description });
    for (const [name, description] of Object.entries(props.scopes ?? {})) this.addScope(name, description);
    for (const [keyId, options] of Object.entries(props.keys ?? {})) this.addKey(keyId, options);
  }

  /** The project's name as a reference to the `keyward_project` resource, so dependents are ordered after it. */
  get projectName(): string {
    return this.resource.name;
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
    return new KeywardApiKey(this, id, { ...options, project: this });
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
