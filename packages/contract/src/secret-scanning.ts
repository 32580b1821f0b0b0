import { z } from "zod";

/**
 * GitHub's secret scanning partner program: what GitHub POSTs when it finds a token matching
 * Keyward's pattern in a public place, and what the partner answers. Format from GitHub's
 * "Secret scanning partner program" documentation.
 */
export const SecretScanningAlert = z
  .array(
    z.object({
      token: z.string().max(1024, { error: "must be at most 1024 characters" }).describe("The text GitHub found."),
      type: z.string().max(256, { error: "must be at most 256 characters" }).describe("The pattern's name, echoed back as token_type."),
      url: z.string().max(4096, { error: "must be at most 4096 characters" }).optional().describe("Where it was found."),
      source: z.string().max(256, { error: "must be at most 256 characters" }).optional().describe("content, commit, pull_request_title, npm, …"),
    }),
  )
  .max(1000, { error: "must hold at most 1000 matches" })
  .describe("The matches GitHub reports, signed with Github-Public-Key-Identifier / Github-Public-Key-Signature.");
export type SecretScanningAlert = z.infer<typeof SecretScanningAlert>;

export const SecretScanningLabel = z.enum(["true_positive", "false_positive"]);

export const SecretScanningResponse = z
  .array(
    z.object({
      token_raw: z.string(),
      token_type: z.string(),
      label: SecretScanningLabel.describe("true_positive: a live or recently valid Keyward secret."),
    }),
  )
  .describe("One verdict per reported match, as GitHub's partner program expects.");
export type SecretScanningResponse = z.infer<typeof SecretScanningResponse>;
