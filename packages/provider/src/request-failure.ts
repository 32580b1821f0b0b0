import { KeywardError, NotFoundError } from "@keyward/client";
import { type AttributePath, type Diagnostic, DiagnosticError, Diagnostics } from "@keyward/terraform-plugin";

/**
 * A failed API call as Terraform diagnostics. A 400 names the failing fields; where a field is a
 * resource attribute (`body.scopes[1]`), the diagnostic points at it in the configuration. Client
 * errors never carry a request body or the token, so nothing here can leak a secret.
 */
function attributePathOf(field: string): AttributePath | undefined {
  const match = /^body\.([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?$/.exec(field);
  if (!match) return undefined;
  const [, attribute, index, nested] = match;
  const path: (string | number)[] = [attribute!];
  if (nested) path.push(nested);
  else if (index !== undefined) path.push(Number(index));
  return path;
}

function describe(error: KeywardError): string {
  const requestId = error.requestId ? ` (request ${error.requestId})` : "";
  return `${error.message} [${error.code}]${requestId}`;
}

export function requestFailure(action: string, error: unknown): DiagnosticError {
  if (error instanceof DiagnosticError) return error;
  if (!(error instanceof KeywardError)) {
    return new DiagnosticError([Diagnostics.requestFailed(action, error instanceof Error ? error.message : String(error))]);
  }
  const diagnostics: Diagnostic[] = error.issues.flatMap((issue) => {
    const path = attributePathOf(issue.field);
    return path ? [Diagnostics.invalidAttribute(path, `The key service refused it: ${issue.message}.`)] : [];
  });
  diagnostics.unshift(Diagnostics.requestFailed(action, describe(error)));
  return new DiagnosticError(diagnostics);
}

/** Runs an API call whose 404 means "gone": answers undefined instead of failing. */
export async function unlessNotFound<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** Runs an API call, turning its failure into diagnostics that say what was being done. */
export async function request<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw requestFailure(action, error);
  }
}
