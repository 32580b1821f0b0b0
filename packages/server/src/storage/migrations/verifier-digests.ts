/**
 * SPEC §16: each secret's verifier digest, HMAC-SHA256 under its project's verifier key, written
 * when the secret is issued (the only moment the server holds its plaintext). Secrets issued before
 * this migration have none; the snapshot counts them, and verifiers ask the server about secrets
 * they do not know while any remain.
 */
export const verifierDigestsMigration = `
  ALTER TABLE key_secrets ADD COLUMN verifier_digest text;
`;
