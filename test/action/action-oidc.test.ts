import { type AuditEvent, Keyward } from "@keyward/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SecretLocation } from "../github-emulator/secret-location";
import { describeLeaks, scanForLeaks } from "../leak-scanner/leak-scanner";
import { OidcIssuer } from "../oidc-issuer/oidc-issuer";
import { MovableClock, RotationWorld } from "./rotation-world";

// SPEC §14 acceptance 1: the committed bundle, run as the runner runs it, with the runner's
// ID-token endpoint pointing at a local OIDC issuer and no keyward-token: it exchanges the job's
// ID token for a short-lived management token and rotates a key into the GitHub API emulator.

const clock = new MovableClock();
let issuer: OidcIssuer;
let world: RotationWorld;

beforeAll(async () => {
  issuer = await OidcIssuer.start({ now: clock.read });
  world = await RotationWorld.open({ clock, oidcIssuers: [issuer.url] });
});

afterAll(async () => {
  await world?.close();
  await issuer?.stop();
});

const runnerEnvironment = () => ({ ACTIONS_ID_TOKEN_REQUEST_URL: issuer.idTokenRequestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: issuer.idTokenRequestToken });

async function exchangeEvents(): Promise<AuditEvent[]> {
  return (await world.admin.audit.list({ action: "token.exchange", limit: 100 }).toArray()).filter((event) => event.action === "token.exchange");
}

describe("rotate mode with the job's OIDC ID token", () => {
  it("rotates with no keyward-token; the minted token expires per the policy and nothing leaks", async () => {
    await world.project("oidc-api");
    const old = await world.key("oidc-api", "deployer");
    await world.admin.trustPolicies.put("acme-api-main", {
      issuer: issuer.url,
      audience: world.keywardUrl,
      claims: { repository_id: "74", ref: "refs/heads/main", environment: "production" },
      scopes: ["keys:read", "keys:rotate"],
      project: "oidc-api",
      environment: "live",
      ttl: "2m",
    });
    const issuedBefore = issuer.issued.length;

    const run = await world.run({ "keyward-token": "", targets: "- key: oidc-api/live/deployer\n  secret: DEPLOYER_KEY" }, { env: runnerEnvironment() });

    expect(run.exitCode, run.stdout).toBe(0);
    const location: SecretLocation = { kind: "repository", repository: "acme/api" };
    const written = world.github.secretValue(location, "DEPLOYER_KEY") as string;
    expect(written).toMatch(/^kw_live_/);
    expect(await world.verify(written)).toBe("VALID");
    expect(await world.verify(old.secret)).toBe("VALID");

    // One ID token was requested, for the key service URL as audience, and exchanged once.
    const jwts = issuer.issued.slice(issuedBefore);
    expect(jwts).toHaveLength(1);
    const [event] = await exchangeEvents();
    expect(event?.details).toMatchObject({ policy: "acme-api-main", repository: "acme/api", run_id: "4242", sub: "repo:acme/api:environment:production" });

    // The minted token is masked before anything else and lives for the policy's TTL.
    const minted = /^::add-mask::(kwm_\S+)$/m.exec(run.stdout)?.[1] as string;
    expect(minted).toBeDefined();
    expect(run.stdout.indexOf(`::add-mask::${minted}`)).toBeLessThan(run.stdout.indexOf("Exchanged the job's OIDC ID token"));
    const token = (await world.admin.tokens.list().toArray()).find((candidate) => candidate.id === event?.target);
    expect(token).toMatchObject({ name: "acme-api-main", scopes: ["keys:read", "keys:rotate"], project: "oidc-api", environment: "live" });
    expect(Date.parse(token?.expires_at ?? "") - Date.parse(event?.time ?? "")).toBe(2 * 60_000);

    const secrets = [
      { label: "OIDC ID token", value: jwts[0] as string },
      { label: "ID token signature", value: (jwts[0] as string).split(".")[2] as string },
      { label: "minted management token", value: minted },
      { label: "runner ID-token request token", value: issuer.idTokenRequestToken },
      { label: "new secret", value: written },
      { label: "old secret", value: old.secret },
      { label: "github-token", value: world.githubToken },
    ];
    expect(describeLeaks(scanForLeaks(secrets, run))).toBe("");
    expect(describeLeaks(scanForLeaks(secrets, run, { relyOnMasking: false }))).toBe("");
    expect(run.argv.join(" ")).not.toMatch(/kw_|kwm_|eyJ/);

    // After its TTL the minted token is refused.
    const asAction = new Keyward({ url: world.keywardUrl, token: minted, maxRetries: 0 });
    expect((await asAction.keys.get(old.key.id)).version).toBe(2);
    clock.advance(2 * 60_000 + 1_000);
    await expect(asAction.keys.get(old.key.id)).rejects.toMatchObject({ status: 401 });
  });

  it("fails with what to do, and changes nothing, when no trust policy matches the job", async () => {
    await world.project("other-api");
    const key = await world.key("other-api", "deployer");
    issuer.runnerClaims = { ...issuer.runnerClaims, ref: "refs/heads/feature" };
    try {
      const run = await world.run({ "keyward-token": "", targets: "- key: other-api/live/deployer\n  secret: OTHER_KEY" }, { env: runnerEnvironment() });
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toContain("::error::Keyward refused the job's OIDC ID token");
      expect(run.stdout).toContain("no trust policy accepts this ID token");
      expect(run.stdout).not.toContain("acme-api-main");
      expect(await world.version(key.key.id)).toBe(1);
      const jwt = issuer.issued.at(-1) as string;
      expect(describeLeaks(scanForLeaks([{ label: "OIDC ID token", value: jwt }], run, { relyOnMasking: false }))).toBe("");
    } finally {
      issuer.runnerClaims = { ...issuer.runnerClaims, ref: "refs/heads/main" };
    }
  });

  it("fails naming id-token: write when the job may not request an ID token", async () => {
    const run = await world.run({ "keyward-token": "", targets: "- key: oidc-api/live/deployer\n  secret: DEPLOYER_KEY" });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain("permissions: id-token: write");
  });
});
