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
  .describe("The matches GitHub reports, signed with Github-Public-Key-Identifier / Github-Public-Key-Signature.")
  .meta({
    examples: [[{ token: "kw_live_3f9Kq2ZrT8mVx1Lp6Wn0Yb4Hc7Ds5Ga9Ue2Jk8Rt1Qx7Qa", type: "keyward_live_key", url: "https://github.com/acme/app/blob/main/.env", source: "content" }]],
  });
export type SecretScanningAlert = z.infer<typeof SecretScanningAlert>;

export const SecretScanningLabel = z.enum(["true_positive", "false_positive"]);

export const SecretScanningResponse = z
  .array(
    z.object({
      token_raw: z.string().describe("The reported text, echoed back as GitHub's partner program expects."),
      token_type: z.string().describe("The reported pattern name, echoed back."),
      label: SecretScanningLabel.describe("true_positive: a live or recently valid Keyward secret."),
    }),
  )
  .describe("One verdict per reported match, as GitHub's partner program expects.");
export type SecretScanningResponse = z.infer<typeof SecretScanningResponse>;
