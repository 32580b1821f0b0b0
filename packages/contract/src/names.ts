import { z } from "zod";

/** Name rules of SPEC §2, kept as patterns so the provider can validate at plan time too. */
export const PROJECT_NAME_PATTERN = /^[a-z][a-z0-9-]{1,62}$/;
export const SCOPE_NAME_PATTERN = /^[a-z][a-z0-9_.:-]{0,127}$/;
/** Key and token names are referenced as `project/environment/name`, so no slash. */
export const KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export const ProjectName = z.string().regex(PROJECT_NAME_PATTERN, {
  error: "must be 2-63 characters: a lowercase letter, then lowercase letters, digits or '-'",
}).meta({ description: "A project name: 2-63 characters, a lowercase letter, then lowercase letters, digits or '-'.", examples: ["billing-api"] });
export const ScopeName = z.string().regex(SCOPE_NAME_PATTERN, {
  error: "must be 1-128 characters: a lowercase letter, then lowercase letters, digits or '_', '.', ':', '-'",
}).meta({ description: "A scope name: 1-128 characters, a lowercase letter, then lowercase letters, digits or '_', '.', ':', '-'.", examples: ["invoices:read"] });
export const KeyName = z.string().regex(KEY_NAME_PATTERN, {
  error: "must be 1-128 characters: a letter or digit, then letters, digits or '_', '.', '-'",
}).meta({ description: "A name unique within its project and environment: 1-128 characters, a letter or digit, then letters, digits or '_', '.', '-'.", examples: ["ci-deployer"] });

export const environments = ["test", "live"] as const;
export const Environment = z.enum(environments, { error: "must be 'test' or 'live'" }).meta({ description: "`test` or `live`; part of every secret's prefix (`kw_live_…`).", examples: ["live"] });
export type Environment = z.infer<typeof Environment>;

export const KEY_ID_PATTERN = /^key_[0-9A-Za-z]{20}$/;
export const TOKEN_ID_PATTERN = /^tok_[0-9A-Za-z]{20}$/;
export const KeyId = z.string().regex(KEY_ID_PATTERN, { error: "must be a key id: 'key_' and 20 letters or digits" }).meta({ description: "A key id: `key_` and 20 letters or digits.", examples: ["key_3Yq8ZpL2mN4vT7wX9bC1"] });
export const TokenId = z.string().regex(TOKEN_ID_PATTERN, { error: "must be a token id: 'tok_' and 20 letters or digits" }).meta({ description: "A management token id: `tok_` and 20 letters or digits.", examples: ["tok_8Hk2Lm4Np6Qr8St0Uv2W"] });

/** SPEC §11: times beyond year 9999 (or before 1970) in UTC cannot be stored or printed as RFC 3339. */
const EARLIEST_TIME = Date.UTC(1970, 0, 1);
const LATEST_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export const Timestamp = z.iso
  .datetime({ offset: true, error: "must be an RFC 3339 time such as 2027-06-30T00:00:00Z" })
  .refine(
    (text) => {
      const time = Date.parse(text);
      return time >= EARLIEST_TIME && time <= LATEST_TIME;
    },
    { error: "must be a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z" },
  )
  .meta({ description: "An RFC 3339 time from 1970 to 9999.", examples: ["2027-06-30T00:00:00Z"] });
