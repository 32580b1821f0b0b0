import { hasUnstorableText } from "@keyward/contract";
import { badRequest } from "./api-error";

/** Opaque page cursors: the sort key of the last item, so pages stay stable under inserts. */
export function encodeCursor(position: string | number): string {
  return Buffer.from(JSON.stringify([position]), "utf8").toString("base64url");
}

export function decodeCursor<T extends string | number>(cursor: string | undefined, kind: "string" | "number"): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [position] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (kind === "number" && Number.isSafeInteger(position) && (position as number) >= 0) return position as T;
    if (kind === "string" && typeof position === "string" && position.length <= 256 && !hasUnstorableText(position)) return position as T;
  } catch {
    // falls through to the error below
  }
  throw badRequest("query.cursor", "must be a next_cursor value returned by this endpoint");
}

/** `{data, next_cursor}` from one extra row fetched beyond the page. */
export function pageOf<Row, Item>(rows: readonly Row[], limit: number, present: (row: Row) => Item, position: (row: Row) => string | number) {
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  return {
    data: data.map(present),
    next_cursor: rows.length > limit && last !== undefined ? encodeCursor(position(last)) : null,
  };
}
