import { secretForms } from "../leak-scanner/leak-scanner";

/**
 * Where (`label: form`) each secret appears in `haystack`, in any form the leak scanner knows
 * (plain, base64 at every alignment, base64url, hex, URL- and JSON-escaped); empty when clean.
 */
export function findSecrets(secrets: Record<string, string>, haystack: string): string[] {
  const found: string[] = [];
  for (const [label, secret] of Object.entries(secrets)) {
    for (const { form, text } of secretForms(secret)) if (haystack.includes(text)) found.push(`${label}: ${form}`);
  }
  return found;
}
