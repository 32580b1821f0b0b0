import { createHash } from "node:crypto";
import { composeSecret, keySecretPrefix, TOKEN_SECRET_PREFIX } from "@keyward/contract";

/**
 * Files in which every scanner is tried: real Keyward secrets made with the contract's own
 * composer at test time (nothing secret-shaped is committed), and near-misses around them. The
 * random bytes come from a hash of a label so a failing run can be replayed exactly.
 */
export interface SecretFixtures {
  /** File name → content. */
  readonly files: Readonly<Record<string, string>>;
  /** Every real secret planted, with the file it is in. */
  readonly secrets: readonly { readonly file: string; readonly secret: string }[];
  /** Right shape, wrong checksum: only a checksum-aware scanner can reject these. */
  readonly checksumMisses: readonly string[];
  /** Wrong prefix, length or boundaries: no scanner may report them, nor any part of them. */
  readonly shapeMisses: readonly string[];
}

const bytesFor = (label: string): Uint8Array => createHash("sha256").update(`keyward scanner fixture ${label}`).digest();
const secretFor = (prefix: string, label: string): string => composeSecret(prefix, bytesFor(label));
/** A different base62 character at `index`, so the CRC32 no longer holds. */
const mistype = (secret: string, index: number): string => {
  const at = index < 0 ? secret.length + index : index;
  return secret.slice(0, at) + (secret[at] === "a" ? "b" : "a") + secret.slice(at + 1);
};

export function buildSecretFixtures(): SecretFixtures {
  const live = (label: string) => secretFor(keySecretPrefix("live"), label);
  const test = (label: string) => secretFor(keySecretPrefix("test"), label);
  const token = (label: string) => secretFor(TOKEN_SECRET_PREFIX, label);

  const real = {
    prose: [live("prose-1"), test("prose-2"), token("prose-3"), live("prose-4")],
    json: [live("json-1"), token("json-2"), test("json-3")],
    yaml: [test("yaml-1"), live("yaml-2"), token("yaml-3")],
    env: [live("env-1"), test("env-2"), token("env-3")],
  };
  const checksumMisses = [
    mistype(live("miss-checksum"), -1),
    mistype(test("miss-typo"), 20),
    mistype(token("miss-token-typo"), 10),
    `kw_test_${live("miss-swapped-env").slice("kw_live_".length)}`,
  ];
  const shapeMisses = [
    secretFor("kw_prod_", "miss-prod"),
    secretFor("kx_live_", "miss-prefix"),
    secretFor("KW_LIVE_", "miss-upper"),
    secretFor("kwt_", "miss-token-prefix"),
    live("miss-truncated").slice(0, -1),
    token("miss-token-truncated").slice(0, -1),
    `${live("miss-extra")}Q`,
    `${token("miss-token-extra")}7`,
    `x${live("miss-embedded-before")}`,
    `${test("miss-embedded-after")}_old`,
    `1${token("miss-token-embedded")}`,
    `sk_${live("miss-embedded-underscore")}`,
  ];
  const [c0, c1, c2, c3] = checksumMisses;
  const [s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11] = shapeMisses;
  const [p0, p1, p2, p3] = real.prose;
  const [j0, j1, j2] = real.json;
  const [y0, y1, y2] = real.yaml;
  const [e0, e1, e2] = real.env;

  const files: Record<string, string> = {
    "notes.md": [
      "# Rotation notes",
      "",
      `The deploy key ${p0} went out on Monday; its staging twin is (${p1}).`,
      `Management calls use Authorization: Bearer ${p2}`,
      `Webhook test: https://example.test/hook?key=${p3}&source=docs`,
      "",
      `These are not keys: ${c0}, ${s0} and ${s8}.`,
      `Nor ${s4} or ${s11}.`,
    ].join("\n"),
    "config.json": `${JSON.stringify(
      {
        keyward: { apiKey: j0, managementToken: j1, staging: [j2] },
        lookalikes: { typo: c1, prefix: s1, truncated: s5, extra: s6 },
      },
      null,
      2,
    )}\n`,
    "deploy.yaml": [
      "service:",
      `  keyward_key: ${y0}`,
      "  fallback:",
      `    - "${y1}"`,
      `  token: '${y2}'`,
      "lookalikes:",
      `  upper: ${s2}`,
      `  token_prefix: ${s3}`,
      `  embedded: ${s9}`,
      "",
    ].join("\n"),
    ".env": [
      `KEYWARD_API_KEY=${e0}`,
      `export KEYWARD_STAGING_KEY="${e1}"`,
      `KEYWARD_TOKEN=${e2} # rotated 2026-11`,
      `KEYWARD_OLD=${c2}`,
      `KEYWARD_SWAPPED=${c3}`,
      `NOT_A_KEY=${s7}`,
      `ALSO_NOT=${s10}`,
      "",
    ].join("\n"),
    "near-misses.txt": `${[...checksumMisses, ...shapeMisses].join("\n")}\n`,
  };
  const secrets = [
    ...real.prose.map((secret) => ({ file: "notes.md", secret })),
    ...real.json.map((secret) => ({ file: "config.json", secret })),
    ...real.yaml.map((secret) => ({ file: "deploy.yaml", secret })),
    ...real.env.map((secret) => ({ file: ".env", secret })),
  ];
  return { files, secrets, checksumMisses, shapeMisses };
}
