import type { ApiKey, Keyward } from "@keyward/client";
import { unlessNotFound } from "./request-failure";

/** The list endpoint's largest page (`limit` 1–100). */
const PAGE_SIZE = 100;
/** A project's keys listed for reads are at most this many pages; keys beyond are read one by one. */
const MAX_PAGES = 50;

/**
 * Reads keys for Terraform's refresh through the list endpoint, one request per page of a project's
 * environment, instead of one `GET /v1/keys/{id}` per key (issue 14: a plan of 200 keys made 200
 * requests). Each provider process lists a project's environment once, the first time one of its
 * keys is read, and answers later reads from that listing. It stays correct:
 * - a key missing from the listing (created since, or past the page bound) is read by id, so a key
 *   is reported gone only when the service says so for that key;
 * - a write to a key through this process forgets the listing of its environment, so this process
 *   never answers from a listing older than its own change;
 * - a listing that fails (a token that may read keys but not list them) falls back to reads by id.
 */
export class KeyListing {
  readonly #keyward: Keyward;
  readonly #listings = new Map<string, Promise<ReadonlyMap<string, ApiKey> | undefined>>();

  constructor(keyward: Keyward) {
    this.#keyward = keyward;
  }

  /** The key with this id, or undefined when the service has no such key. */
  async read(id: string, where: { readonly project: string; readonly environment: string }): Promise<ApiKey | undefined> {
    const listed = (await this.#listing(where))?.get(id);
    return listed ?? unlessNotFound(() => this.#keyward.keys.get(id));
  }

  /** Called after this process changed a key of `where`: later reads list afresh. */
  forget(where: { readonly project: string; readonly environment: string }): void {
    this.#listings.delete(listingKey(where));
  }

  #listing(where: { readonly project: string; readonly environment: string }): Promise<ReadonlyMap<string, ApiKey> | undefined> {
    const key = listingKey(where);
    let listing = this.#listings.get(key);
    if (!listing) {
      listing = this.#list(where);
      this.#listings.set(key, listing);
    }
    return listing;
  }

  async #list(where: { readonly project: string; readonly environment: string }): Promise<ReadonlyMap<string, ApiKey> | undefined> {
    const keys = new Map<string, ApiKey>();
    let cursor: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const answer = await this.#keyward.keys.page({ project: where.project, environment: where.environment as ApiKey["environment"], limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
        for (const listed of answer.data) keys.set(listed.id, listed);
        cursor = answer.next_cursor ?? undefined;
        if (cursor === undefined) break;
      }
    } catch {
      return undefined;
    }
    return keys;
  }
}

function listingKey(where: { readonly project: string; readonly environment: string }): string {
  return `${where.project}/${where.environment}`;
}
