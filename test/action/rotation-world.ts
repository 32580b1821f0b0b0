import { type ApiKey, Keyward } from "@keyward/client";
import { startKeyward } from "../../packages/server/src/index";
import { type ActionRun, runAction } from "../action-runner/action-runner";
import { GitHubEmulator } from "../github-emulator/github-emulator";
import type { GitHubPermission } from "../github-emulator/secret-location";

/**
 * Everything a rotate run talks to, real where it can be: a Keyward server in this process (PGlite,
 * a clock the test moves), a client with the root token for setup and verification, a management
 * token for the action with only `keys:read` and `keys:rotate`, and the GitHub API emulator with
 * repositories `acme/api` (environment `production`), `acme/web`, and organization `acme`.
 */
export class RotationWorld {
  readonly clock: MovableClock;
  readonly github: GitHubEmulator;
  readonly admin: Keyward;
  readonly keywardUrl: string;
  readonly rootToken: string;
  /** The action's management token: keys:read, keys:rotate. */
  readonly actionToken: string;
  /** A GitHub token that may write every secret of the world. */
  readonly githubToken = "github_pat_11WriterToken_rotationWorld0123456789";
  readonly #close: () => Promise<void>;

  private constructor(init: { clock: MovableClock; github: GitHubEmulator; admin: Keyward; url: string; rootToken: string; actionToken: string; close: () => Promise<void> }) {
    this.clock = init.clock;
    this.github = init.github;
    this.admin = init.admin;
    this.keywardUrl = init.url;
    this.rootToken = init.rootToken;
    this.actionToken = init.actionToken;
    this.#close = init.close;
  }

  /** `oidcIssuers`: issuers the key service trusts for the token exchange (a local test issuer). */
  static async open(options: { clock?: MovableClock; oidcIssuers?: readonly string[] } = {}): Promise<RotationWorld> {
    const clock = options.clock ?? new MovableClock();
    const service = await startKeyward({ clock: clock.read, ...(options.oidcIssuers ? { oidcIssuers: options.oidcIssuers, oidcJwksCooldownMs: 0 } : {}) });
    // One clock for both: GitHub's updated_at and the key's rotated_at are compared.
    const github = await GitHubEmulator.start({ now: clock.read });
    const admin = new Keyward({ url: service.url, token: service.rootToken, maxRetries: 0 });
    const { secret } = await admin.tokens.create({ name: "rotation-action", scopes: ["keys:read", "keys:rotate"] });
    const world = new RotationWorld({
      clock,
      github,
      admin,
      url: service.url,
      rootToken: service.rootToken,
      actionToken: secret.reveal(),
      close: async () => {
        await github.stop();
        await service.close();
      },
    });
    world.#seedGitHub();
    return world;
  }

  #seedGitHub(): void {
    this.github.addRepository("acme/api", { environments: ["production"] });
    this.github.addRepository("acme/web");
    this.github.addOrganization("acme");
    const repositoryPermissions: GitHubPermission[] = ["metadata", "secrets", "environments", "dependabot_secrets"];
    this.github.addToken(this.githubToken, {
      repositories: { "acme/api": repositoryPermissions, "acme/web": repositoryPermissions },
      organizations: { acme: ["metadata", "organization_secrets", "organization_dependabot_secrets"] },
    });
  }

  /** A project with one scope, created once per name. */
  async project(name: string): Promise<void> {
    await this.admin.projects.create({ name });
    await this.admin.scopes.put(name, "deploy:write", { description: "Deploy" });
  }

  /** A live key with a rotation schedule; returns it with its first secret. */
  async key(project: string, name: string, rotation = { every: "30d", grace_period: "24h" }): Promise<{ key: ApiKey; secret: string }> {
    const created = await this.admin.keys.create({ project, environment: "live", name, scopes: ["deploy:write"], rotation });
    return { key: created.key, secret: created.secret.reveal() };
  }

  async verify(secret: string): Promise<string> {
    return (await this.admin.verify({ key: secret })).code;
  }

  async version(id: string): Promise<number> {
    return (await this.admin.keys.get(id)).version;
  }

  /** Runs `dist/index.js` in rotate mode as the runner would, with debug logging on. */
  run(inputs: Record<string, string>, options: { githubToken?: string; env?: Record<string, string> } = {}): Promise<ActionRun> {
    return runAction({
      inputs: {
        mode: "rotate",
        "keyward-url": this.keywardUrl,
        "keyward-token": this.actionToken,
        "github-token": options.githubToken ?? this.githubToken,
        ...inputs,
      },
      githubApiUrl: this.github.url,
      repository: "acme/api",
      eventName: "schedule",
      ...(options.env ? { env: options.env } : {}),
    });
  }

  close(): Promise<void> {
    return this.#close();
  }
}

/** The key service's clock: starts now (the action's own clock is the machine's) and moves on demand. */
export class MovableClock {
  #now = Date.now();
  read = (): Date => new Date(this.#now);
  advance(milliseconds: number): void {
    this.#now += milliseconds;
  }
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
