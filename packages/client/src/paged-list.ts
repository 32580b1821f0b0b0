import type { Routes } from "@keyward/contract";
import type { z } from "zod";

/** One page of a list endpoint: `{data, next_cursor}` (SPEC §3). */
export type Page<T> = Omit<z.output<Routes["listProjects"]["response"]>, "data"> & { data: T[] };

/**
 * The result of a `list` call: iterate it with `for await` and it walks every page, fetching the
 * next one only when the current one is used up. Nothing is fetched until iteration starts.
 */
export class PagedList<T> implements AsyncIterable<T> {
  readonly #fetchPage: (cursor: string | undefined) => Promise<Page<T>>;

  constructor(fetchPage: (cursor: string | undefined) => Promise<Page<T>>) {
    this.#fetchPage = fetchPage;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let cursor: string | undefined;
    do {
      const page = await this.#fetchPage(cursor);
      yield* page.data;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** Every item of every page, in order (at most `limit` when given). */
  async toArray(limit = Number.POSITIVE_INFINITY): Promise<T[]> {
    const items: T[] = [];
    if (limit <= 0) return items;
    for await (const item of this) {
      items.push(item);
      if (items.length >= limit) break;
    }
    return items;
  }
}
