/**
 * The forms in which a secret could leak into a log (SPEC §9): plain, base64 at every byte
 * alignment, base64url, hex, URL- and JSON-escaped. `findSecret` says which form was found.
 */
function base64Variants(text: string): string[] {
  const bytes = Buffer.from(text);
  // Inside a longer base64 text the secret starts at any of 3 byte alignments; keep only the
  // characters made of the secret's own bits.
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    return encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
  });
}

export function secretForms(secret: string): { form: string; text: string }[] {
  const forms = [
    { form: "plain", text: secret },
    ...base64Variants(secret).map((text, offset) => ({ form: `base64 (offset ${offset})`, text })),
    ...base64Variants(secret).map((text, offset) => ({ form: `base64url (offset ${offset})`, text: text.replace(/\+/g, "-").replace(/\//g, "_") })),
    { form: "hex", text: Buffer.from(secret).toString("hex") },
    { form: "HEX", text: Buffer.from(secret).toString("hex").toUpperCase() },
    { form: "URL-escaped", text: encodeURIComponent(secret) },
    { form: "JSON-escaped", text: JSON.stringify(secret).slice(1, -1) },
  ];
  return forms.filter((form, index) => form.text.length >= 8 && forms.findIndex((other) => other.text === form.text) === index);
}

/** Where (`label: form`) each secret appears in `haystack`; empty when clean. */
export function findSecrets(secrets: Record<string, string>, haystack: string): string[] {
  const found: string[] = [];
  for (const [label, secret] of Object.entries(secrets)) {
    for (const { form, text } of secretForms(secret)) if (haystack.includes(text)) found.push(`${label}: ${form}`);
  }
  return found;
}
