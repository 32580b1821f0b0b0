import type { Secret } from "@keyward/contract";
import { type GitHubSecrets, GitHubSecretsError } from "./github-secrets";
import { type GitHubPublicKey, sealSecret } from "./sealed-box";
import { describeDestination, type SecretWrite } from "./secret-destination";

/** A write that failed, naming the GitHub secret (never its value). */
export class DeliveryError extends GitHubSecretsError {
  override readonly name: string = "DeliveryError";
  readonly write: SecretWrite;

  constructor(write: SecretWrite, reason: string) {
    super(`could not write ${write.name} to ${describeDestination(write.destination)}: ${reason}`);
    this.write = write;
  }
}

interface PreparedWrite {
  readonly write: SecretWrite;
  readonly publicKey: GitHubPublicKey;
  readonly selectedRepositoryIds: readonly number[];
}

/**
 * Writes one secret to every destination of a key. `prepare` runs before the secret is issued:
 * it fetches each destination's public key and resolves org secrets' selected repositories, so a
 * destination the token cannot reach fails before anything changes. `deliver` then seals the
 * secret for each destination (libsodium `crypto_box_seal`) and PUTs it, one after another as
 * GitHub asks of integrators; the first failure stops it with a `DeliveryError`.
 */
export class SecretDelivery {
  readonly #prepared: readonly PreparedWrite[];
  readonly #github: GitHubSecrets;

  private constructor(github: GitHubSecrets, prepared: readonly PreparedWrite[]) {
    this.#github = github;
    this.#prepared = prepared;
  }

  static async prepare(github: GitHubSecrets, writes: readonly SecretWrite[]): Promise<SecretDelivery> {
    const prepared: PreparedWrite[] = [];
    for (const write of writes) {
      try {
        const publicKey = await github.publicKey(write.destination);
        const selected = write.destination.kind === "organization" && write.destination.visibility === "selected" ? write.destination.selectedRepositories : [];
        const selectedRepositoryIds: number[] = [];
        for (const repository of selected) selectedRepositoryIds.push(await github.repositoryId(repository));
        prepared.push({ write, publicKey, selectedRepositoryIds });
      } catch (error) {
        throw new DeliveryError(write, reasonOf(error));
      }
    }
    return new SecretDelivery(github, prepared);
  }

  get writes(): readonly SecretWrite[] {
    return this.#prepared.map((prepared) => prepared.write);
  }

  async deliver(secret: Secret): Promise<void> {
    for (const { write, publicKey, selectedRepositoryIds } of this.#prepared) {
      try {
        await this.#github.put(write.destination, write.name, await sealSecret(secret, publicKey), selectedRepositoryIds);
      } catch (error) {
        throw new DeliveryError(write, reasonOf(error));
      }
    }
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof GitHubSecretsError) return error.message;
  return "unexpected failure";
}
