import { attributePathMessage, formatAttributePath, type AttributePath } from "./attribute-path";
import { Severity, type DiagnosticMessage } from "./tfplugin6";

/**
 * What Terraform shows the user: a title (summary), a detail that says what to do, and when it
 * concerns one attribute, its path (Terraform then points at the line in the configuration).
 * Built only through the named constructors below so every message reads alike.
 */
export interface Diagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
  readonly detail: string;
  readonly attribute?: AttributePath;
}

export const Diagnostics = {
  /** A configuration value breaks a rule: quote the value and the expected form. */
  invalidAttribute(path: AttributePath, detail: string): Diagnostic {
    return { severity: "error", summary: `Invalid ${formatAttributePath(path)}`, detail, attribute: path };
  },
  missingAttribute(path: AttributePath, detail: string): Diagnostic {
    return { severity: "error", summary: `Missing ${formatAttributePath(path)}`, detail, attribute: path };
  },
  unknownResourceType(kind: "resource" | "data source" | "ephemeral resource", typeName: string): Diagnostic {
    return {
      severity: "error",
      summary: `Unknown ${kind} type`,
      detail: `This provider has no ${kind} "${typeName}". Check the type name, or upgrade the provider.`,
    };
  },
  /** A remote call failed; `action` says what the provider was doing, e.g. "create the key". */
  requestFailed(action: string, reason: string): Diagnostic {
    return { severity: "error", summary: `Could not ${action}`, detail: reason };
  },
  providerNotConfigured(): Diagnostic {
    return {
      severity: "error",
      summary: "Provider not configured",
      detail: "The provider was used before Terraform configured it. This is a bug in the provider or in Terraform; please report it.",
    };
  },
  /** A defect in the provider itself: the user cannot fix it, so say so. */
  providerBug(summary: string, detail: string): Diagnostic {
    return { severity: "error", summary, detail: `${detail} This is a bug in the provider; please report it.` };
  },
  unsupported(summary: string, detail: string): Diagnostic {
    return { severity: "error", summary, detail };
  },
  warning(summary: string, detail: string, attribute?: AttributePath): Diagnostic {
    return attribute ? { severity: "warning", summary, detail, attribute } : { severity: "warning", summary, detail };
  },
};

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((diagnostic) => diagnostic.severity === "error");
}

export function diagnosticMessage(diagnostic: Diagnostic): DiagnosticMessage {
  const message: DiagnosticMessage = {
    severity: diagnostic.severity === "error" ? Severity.Error : Severity.Warning,
    summary: diagnostic.summary,
    detail: diagnostic.detail,
  };
  if (diagnostic.attribute) message.attribute = attributePathMessage(diagnostic.attribute);
  return message;
}

/** Thrown from resource code to stop an operation with diagnostics (the framework catches it). */
export class DiagnosticError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((diagnostic) => diagnostic.summary).join("; "));
    this.name = "DiagnosticError";
  }
}
