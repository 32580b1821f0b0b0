import type { AttributePath } from "./attribute-path";
import type { Diagnostic } from "./diagnostic";
import type { Logger } from "./logger";
import type { BlockSchema } from "./schema";
import type { ObjectValue } from "./value";

/**
 * What a provider is made of, in the framework's terms: a provider schema and `configure`, then
 * resources and data sources. Values are `ObjectValue`s shaped by each schema; the framework does
 * the protocol, the planning rules Terraform core enforces, and error handling.
 */
export interface OperationContext<Client> {
  readonly client: Client;
  /** Aborted when Terraform asks the provider to stop (StopProvider, e.g. after Ctrl-C). */
  readonly stopSignal: AbortSignal;
  readonly log: Logger;
}

export interface PlanRequest {
  /** null when the object is being created. */
  readonly prior: ObjectValue | null;
  readonly config: ObjectValue;
  /** The framework's plan: config values, computed attributes unknown on create, carried on update. */
  readonly planned: ObjectValue;
}

export interface PlanAdjustment {
  /** Replaces the framework's plan; only computed attributes may differ from it. */
  readonly planned?: ObjectValue;
  readonly requiresReplace?: readonly AttributePath[];
  readonly diagnostics?: readonly Diagnostic[];
}

export interface ResourceDefinition<Client> {
  readonly typeName: string;
  readonly schema: BlockSchema;
  /** Checks a configuration whose values may be unknown; runs at validate and plan time. */
  validate?(config: ObjectValue): Diagnostic[];
  /** Adjusts the plan of a create or update, e.g. marks computed attributes that will change. */
  plan?(context: OperationContext<Client>, request: PlanRequest): Promise<PlanAdjustment | void>;
  create(context: OperationContext<Client>, request: { planned: ObjectValue; config: ObjectValue }): Promise<ObjectValue>;
  /** The object as it is now, or null when it is gone (Terraform then plans to create it). */
  read(context: OperationContext<Client>, state: ObjectValue): Promise<ObjectValue | null>;
  update(context: OperationContext<Client>, request: { prior: ObjectValue; planned: ObjectValue; config: ObjectValue }): Promise<ObjectValue>;
  delete(context: OperationContext<Client>, prior: ObjectValue): Promise<void>;
  /** The state to hand to `read` for an import id; attributes left out are null. */
  importState?(context: OperationContext<Client>, id: string): Promise<ObjectValue>;
}

export interface DataSourceDefinition<Client> {
  readonly typeName: string;
  readonly schema: BlockSchema;
  validate?(config: ObjectValue): Diagnostic[];
  read(context: OperationContext<Client>, config: ObjectValue): Promise<ObjectValue>;
}

/** What opening an ephemeral resource produced: its value, and when Terraform should renew it. */
export interface EphemeralResult {
  readonly result: ObjectValue;
  readonly renewAt?: Date;
  /** Opaque to Terraform; handed back to `renew` and `close`. Never put a secret here. */
  readonly private?: Uint8Array;
}

/**
 * An ephemeral resource (Terraform 1.10+, `ephemeral "…" "…" {}`): opened for each plan and apply,
 * its result is used by the configuration and never written to a plan or state.
 */
export interface EphemeralResourceDefinition<Client> {
  readonly typeName: string;
  readonly schema: BlockSchema;
  validate?(config: ObjectValue): Diagnostic[];
  open(context: OperationContext<Client>, config: ObjectValue): Promise<EphemeralResult>;
  renew?(context: OperationContext<Client>, privateData: Uint8Array | undefined): Promise<{ renewAt?: Date; private?: Uint8Array }>;
  close?(context: OperationContext<Client>, privateData: Uint8Array | undefined): Promise<void>;
}

export interface ProviderDefinition<Client> {
  /** The provider's local name, e.g. `keyward`: every type name starts with it and `_`. */
  readonly name: string;
  readonly version: string;
  readonly schema: BlockSchema;
  validate?(config: ObjectValue): Diagnostic[];
  /** Builds the client every resource and data source uses; throw a DiagnosticError to refuse. */
  configure(config: ObjectValue, environment: NodeJS.ProcessEnv, log: Logger): Promise<Client>;
  readonly resources: readonly ResourceDefinition<Client>[];
  readonly dataSources: readonly DataSourceDefinition<Client>[];
  readonly ephemeralResources?: readonly EphemeralResourceDefinition<Client>[];
}
