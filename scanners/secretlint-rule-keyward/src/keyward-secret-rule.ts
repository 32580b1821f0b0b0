import { hintOf } from "@keyward/contract";
import type { SecretLintRuleCreator, SecretLintSourceCode } from "@secretlint/types";
import { findKeywardSecrets } from "./keyward-secret-finder.js";

/**
 * Each message names the secret by its hint (prefix and last four characters) only, so the report
 * is safe to print in CI logs even without `--maskSecrets`; the range still points at the whole
 * secret for formatters that mask or show the source.
 */
export const messages = {
  KEYWARD_API_KEY: {
    en: (props: { HINT: string }) =>
      `found a Keyward API key ${props.HINT} (checksum valid): revoke or rotate it, then remove it from the file`,
  },
  KEYWARD_MANAGEMENT_TOKEN: {
    en: (props: { HINT: string }) =>
      `found a Keyward management token ${props.HINT} (checksum valid): revoke it, then remove it from the file`,
  },
};

/** The rule takes no options; secretlint's own `allowMessageIds` and ignore comments still apply. */
export type Options = Record<string, never>;

export const creator: SecretLintRuleCreator<Options> = {
  messages,
  meta: {
    id: "@keyward/secretlint-rule-keyward",
    recommended: true,
    type: "scanner",
    supportedContentTypes: ["text"],
    docs: {
      url: "https://github.com/keyward/keyward/blob/main/scanners/secretlint-rule-keyward/README.md",
    },
  },
  create(context) {
    const t = context.createTranslator(messages);
    return {
      file(source: SecretLintSourceCode) {
        for (const finding of findKeywardSecrets(source.content)) {
          const messageId = finding.kind === "api-key" ? "KEYWARD_API_KEY" : "KEYWARD_MANAGEMENT_TOKEN";
          context.report({ message: t(messageId, { HINT: hintOf(finding.secret) }), range: finding.range });
        }
      },
    };
  },
};
