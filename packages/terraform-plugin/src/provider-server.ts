import type { CtyType } from "./cty-type";
import { Diagnostics, DiagnosticError, diagnosticMessage, hasErrors, type Diagnostic } from "./diagnostic";
import { decodeDynamicValue, decodeRawStateJson, encodeDynamicValue } from "./dynamic-value";
import type { Logger } from "./logger";
import { planResourceChange, settleAppliedState } from "./plan-resource-change";
import type { DataSourceDefinition, EphemeralResourceDefinition, OperationContext, ProviderDefinition, ResourceDefinition } from "./provider-definition";
import { type BlockSchema, blockType, schemaMessage } from "./schema";
import type { DynamicValue, SchemaMessage } from "./tfplugin6";
import { attributePathMessage } from "./attribute-path";
import { isObjectValue, isWhollyKnown, type ObjectValue, type Value } from "./value";

/**
 * The `tfplugin6.Provider` calls, over decoded messages and independent of gRPC. Every call
 * answers with diagnostics rather than failing: a thrown error becomes an error diagnostic, so a
 * failing remote API never crashes the provider.
 */
type Request = Record<string, unknown>;
type Response = Record<string, unknown>;

interface TypedResource<Client> {
  readonly definition: ResourceDefinition<Client>;
  readonly type: CtyType;
}
interface TypedDataSource<Client> {
  readonly definition: DataSourceDefinition<Client>;
  readonly type: CtyType;
}
interface TypedEphemeralResource<Client> {
  readonly definition: EphemeralResourceDefinition<Client>;
  readonly type: CtyType;
}

/**
 * Write-only attributes set in a configuration. Terraform before 1.11 does not know them and would
 * store their value in the state, so they are refused unless the client says it handles them.
 */
function setWriteOnlyAttributes(schema: BlockSchema, config: ObjectValue): string[] {
  return Object.entries(schema.attributes)
    .filter(([name, attribute]) => attribute.writeOnly && (config[name] ?? null) !== null)
    .map(([name]) => name);
}

function timestampMessage(date: Date | undefined): Record<string, number> | undefined {
  if (!date) return undefined;
  const milliseconds = date.getTime();
  return { seconds: Math.floor(milliseconds / 1000), nanos: (milliseconds % 1000) * 1_000_000 };
}

const presentBytes = (bytes: unknown) => (bytes instanceof Uint8Array && bytes.length > 0 ? bytes : undefined);

function errorDiagnostics(error: unknown, action: string): Diagnostic[] {
  if (error instanceof DiagnosticError) return [...error.diagnostics];
  const reason = error instanceof Error ? error.message : String(error);
  return [Diagnostics.requestFailed(action, reason)];
}

function asObject(value: Value): ObjectValue | null {
  return isObjectValue(value) ? value : null;
}

export class ProviderServer<Client> {
  private readonly resources: Map<string, TypedResource<Client>>;
  private readonly dataSources: Map<string, TypedDataSource<Client>>;
  private readonly ephemeralResources: Map<string, TypedEphemeralResource<Client>>;
  private readonly providerType: CtyType;
  private readonly stopController = new AbortController();
  private client: Client | undefined;
  private schemaCache: Response | undefined;

  constructor(
    private readonly provider: ProviderDefinition<Client>,
    private readonly log: Logger,
    private readonly environment: NodeJS.ProcessEnv,
  ) {
    this.providerType = blockType(provider.schema);
    this.resources = new Map(provider.resources.map((definition) => [definition.typeName, { definition, type: blockType(definition.schema) }]));
    this.dataSources = new Map(provider.dataSources.map((definition) => [definition.typeName, { definition, type: blockType(definition.schema) }]));
    this.ephemeralResources = new Map((provider.ephemeralResources ?? []).map((definition) => [definition.typeName, { definition, type: blockType(definition.schema) }]));
  }

  private context(): OperationContext<Client> | undefined {
    if (this.client === undefined) return undefined;
    return { client: this.client, stopSignal: this.stopController.signal, log: this.log };
  }

  private requireContext(): OperationContext<Client> {
    const context = this.context();
    if (!context) throw new DiagnosticError([Diagnostics.providerNotConfigured()]);
    return context;
  }

  private resource(typeName: unknown): TypedResource<Client> {
    const found = this.resources.get(String(typeName));
    if (!found) throw new DiagnosticError([Diagnostics.unknownResourceType("resource", String(typeName))]);
    return found;
  }

  private dataSource(typeName: unknown): TypedDataSource<Client> {
    const found = this.dataSources.get(String(typeName));
    if (!found) throw new DiagnosticError([Diagnostics.unknownResourceType("data source", String(typeName))]);
    return found;
  }

  private ephemeralResource(typeName: unknown): TypedEphemeralResource<Client> {
    const found = this.ephemeralResources.get(String(typeName));
    if (!found) throw new DiagnosticError([Diagnostics.unknownResourceType("ephemeral resource", String(typeName))]);
    return found;
  }

  /** Runs one call; its diagnostics land in the response's `diagnostics`. */
  private async answer(call: string, action: string, handler: (diagnostics: Diagnostic[]) => Promise<Response>): Promise<Response> {
    const started = Date.now();
    const diagnostics: Diagnostic[] = [];
    let response: Response = {};
    try {
      response = await handler(diagnostics);
    } catch (error) {
      diagnostics.push(...errorDiagnostics(error, action));
    }
    this.log.debug("call finished", { call, milliseconds: Date.now() - started, diagnostics: diagnostics.length });
    return { ...response, diagnostics: diagnostics.map(diagnosticMessage) };
  }

  stop(): void {
    this.log.info("stop requested");
    this.stopController.abort();
  }

  getMetadata(): Response {
    return {
      serverCapabilities: { getProviderSchemaOptional: true },
      resources: [...this.resources.keys()].map((typeName) => ({ typeName })),
      dataSources: [...this.dataSources.keys()].map((typeName) => ({ typeName })),
      ephemeralResources: [...this.ephemeralResources.keys()].map((typeName) => ({ typeName })),
      diagnostics: [],
    };
  }

  getProviderSchema(): Response {
    this.schemaCache ??= {
      provider: schemaMessage(this.provider.schema),
      resourceSchemas: Object.fromEntries([...this.resources].map(([name, { definition }]) => [name, schemaMessage(definition.schema)])) as Record<string, SchemaMessage>,
      dataSourceSchemas: Object.fromEntries([...this.dataSources].map(([name, { definition }]) => [name, schemaMessage(definition.schema)])),
      functions: {},
      ephemeralResourceSchemas: Object.fromEntries([...this.ephemeralResources].map(([name, { definition }]) => [name, schemaMessage(definition.schema)])),
      // Later provider processes of the same command may reuse the schema instead of asking again.
      serverCapabilities: { getProviderSchemaOptional: true },
      diagnostics: [],
    };
    return this.schemaCache;
  }

  validateProviderConfig(request: Request): Promise<Response> {
    return this.answer("ValidateProviderConfig", "validate the provider configuration", async (diagnostics) => {
      const config = asObject(decodeDynamicValue(request.config as DynamicValue, this.providerType));
      if (config) diagnostics.push(...(this.provider.validate?.(config) ?? []));
      return {};
    });
  }

  configureProvider(request: Request): Promise<Response> {
    return this.answer("ConfigureProvider", "configure the provider", async (diagnostics) => {
      const config = asObject(decodeDynamicValue(request.config as DynamicValue, this.providerType)) ?? {};
      diagnostics.push(...(this.provider.validate?.(config) ?? []));
      if (hasErrors(diagnostics)) return {};
      this.client = await this.provider.configure(config, this.environment, this.log);
      return {};
    });
  }

  validateResourceConfig(request: Request): Promise<Response> {
    return this.answer("ValidateResourceConfig", "validate the resource configuration", async (diagnostics) => {
      const { definition, type } = this.resource(request.typeName);
      const config = asObject(decodeDynamicValue(request.config as DynamicValue, type));
      if (!config) return {};
      const capabilities = request.clientCapabilities as { writeOnlyAttributesAllowed?: boolean } | undefined;
      if (!capabilities?.writeOnlyAttributesAllowed) {
        for (const name of setWriteOnlyAttributes(definition.schema, config)) {
          diagnostics.push(
            Diagnostics.invalidAttribute([name], `${name} is write-only, which needs Terraform 1.11 or later; this Terraform would store its value in the state. Upgrade Terraform, or leave ${name} unset.`),
          );
        }
      }
      diagnostics.push(...(definition.validate?.(config) ?? []));
      return {};
    });
  }

  validateDataResourceConfig(request: Request): Promise<Response> {
    return this.answer("ValidateDataResourceConfig", "validate the data source configuration", async (diagnostics) => {
      const { definition, type } = this.dataSource(request.typeName);
      const config = asObject(decodeDynamicValue(request.config as DynamicValue, type));
      if (config) diagnostics.push(...(definition.validate?.(config) ?? []));
      return {};
    });
  }

  upgradeResourceState(request: Request): Promise<Response> {
    return this.answer("UpgradeResourceState", "read the stored state", async (diagnostics) => {
      const { type } = this.resource(request.typeName);
      const rawState = request.rawState as { json: Uint8Array; flatmap: Record<string, string> } | undefined;
      if (!rawState || rawState.json.length === 0) {
        diagnostics.push(Diagnostics.unsupported("Unsupported state format", "Only JSON state (Terraform 0.12 and later) can be upgraded."));
        return {};
      }
      return { upgradedState: encodeDynamicValue(decodeRawStateJson(rawState.json, type), type) };
    });
  }

  readResource(request: Request): Promise<Response> {
    return this.answer("ReadResource", "read the object", async () => {
      const { definition, type } = this.resource(request.typeName);
      const current = asObject(decodeDynamicValue(request.currentState as DynamicValue, type));
      const fresh = current ? await definition.read(this.requireContext(), current) : null;
      return { newState: encodeDynamicValue(fresh, type), private: request.private };
    });
  }

  planResourceChange(request: Request): Promise<Response> {
    return this.answer("PlanResourceChange", "plan the change", async (diagnostics) => {
      const { definition, type } = this.resource(request.typeName);
      const change = await planResourceChange(definition, this.context(), {
        prior: asObject(decodeDynamicValue(request.priorState as DynamicValue, type)),
        proposed: asObject(decodeDynamicValue(request.proposedNewState as DynamicValue, type)),
        config: asObject(decodeDynamicValue(request.config as DynamicValue, type)),
      });
      diagnostics.push(...change.diagnostics);
      if (hasErrors(diagnostics)) return {};
      return {
        plannedState: encodeDynamicValue(change.planned, type),
        requiresReplace: change.requiresReplace.map(attributePathMessage),
        plannedPrivate: request.priorPrivate,
      };
    });
  }

  applyResourceChange(request: Request): Promise<Response> {
    return this.answer("ApplyResourceChange", "apply the change", async () => {
      const { definition, type } = this.resource(request.typeName);
      const prior = asObject(decodeDynamicValue(request.priorState as DynamicValue, type));
      const planned = asObject(decodeDynamicValue(request.plannedState as DynamicValue, type));
      const config = asObject(decodeDynamicValue(request.config as DynamicValue, type)) ?? {};
      const context = this.requireContext();
      if (planned === null) {
        if (prior) await definition.delete(context, prior);
        return { newState: encodeDynamicValue(null, type) };
      }
      const applied = prior ? await definition.update(context, { prior, planned, config }) : await definition.create(context, { planned, config });
      const settled = settleAppliedState(planned, applied);
      if (!isWhollyKnown(settled)) {
        throw new DiagnosticError([Diagnostics.providerBug("Incomplete result", `Applying ${definition.typeName} left values unknown.`)]);
      }
      return { newState: encodeDynamicValue(settled, type), private: request.plannedPrivate };
    });
  }

  importResourceState(request: Request): Promise<Response> {
    return this.answer("ImportResourceState", "import the object", async () => {
      const { definition, type } = this.resource(request.typeName);
      if (!definition.importState) {
        throw new DiagnosticError([Diagnostics.unsupported("Import not supported", `${definition.typeName} cannot be imported.`)]);
      }
      const state = await definition.importState(this.requireContext(), String(request.id));
      return { importedResources: [{ typeName: definition.typeName, state: encodeDynamicValue(state, type) }] };
    });
  }

  readDataSource(request: Request): Promise<Response> {
    return this.answer("ReadDataSource", "read the data source", async () => {
      const { definition, type } = this.dataSource(request.typeName);
      const config = asObject(decodeDynamicValue(request.config as DynamicValue, type)) ?? {};
      const state = await definition.read(this.requireContext(), config);
      return { state: encodeDynamicValue(state, type) };
    });
  }

  validateEphemeralResourceConfig(request: Request): Promise<Response> {
    return this.answer("ValidateEphemeralResourceConfig", "validate the ephemeral resource configuration", async (diagnostics) => {
      const { definition, type } = this.ephemeralResource(request.typeName);
      const config = asObject(decodeDynamicValue(request.config as DynamicValue, type));
      if (config) diagnostics.push(...(definition.validate?.(config) ?? []));
      return {};
    });
  }

  openEphemeralResource(request: Request): Promise<Response> {
    return this.answer("OpenEphemeralResource", "open the ephemeral resource", async (diagnostics) => {
      const { definition, type } = this.ephemeralResource(request.typeName);
      const config = asObject(decodeDynamicValue(request.config as DynamicValue, type)) ?? {};
      diagnostics.push(...(definition.validate?.(config) ?? []));
      if (hasErrors(diagnostics)) return {};
      const opened = await definition.open(this.requireContext(), config);
      const renewAt = timestampMessage(opened.renewAt);
      return {
        result: encodeDynamicValue(opened.result, type),
        ...(renewAt ? { renewAt } : {}),
        ...(opened.private ? { private: opened.private } : {}),
      };
    });
  }

  renewEphemeralResource(request: Request): Promise<Response> {
    return this.answer("RenewEphemeralResource", "renew the ephemeral resource", async () => {
      const { definition } = this.ephemeralResource(request.typeName);
      if (!definition.renew) return {};
      const renewed = await definition.renew(this.requireContext(), presentBytes(request.private));
      const renewAt = timestampMessage(renewed.renewAt);
      return { ...(renewAt ? { renewAt } : {}), ...(renewed.private ? { private: renewed.private } : {}) };
    });
  }

  closeEphemeralResource(request: Request): Promise<Response> {
    return this.answer("CloseEphemeralResource", "close the ephemeral resource", async () => {
      const { definition } = this.ephemeralResource(request.typeName);
      await definition.close?.(this.requireContext(), presentBytes(request.private));
      return {};
    });
  }

  moveResourceState(): Response {
    return { diagnostics: [diagnosticMessage(Diagnostics.unsupported("Move not supported", "This provider does not support moving state between resource types."))] };
  }

  getFunctions(): Response {
    return { functions: {}, diagnostics: [] };
  }
}
