import { inspect } from "node:util";
import { hintOf } from "./secret-format";

const plaintexts = new WeakMap<Secret, string>();

/**
 * A secret value that cannot print itself: `toString`, `JSON.stringify` and `util.inspect` all give
 * `Secret(kw_live_…abcd)`. The plaintext is held outside the object (no enumerable field, nothing
 * for a logger or an error serializer to walk into) and comes out only through `reveal()`.
 */
export class Secret {
  readonly hint: string;

  constructor(plaintext: string) {
    plaintexts.set(this, plaintext);
    this.hint = hintOf(plaintext);
    Object.freeze(this);
  }

  reveal(): string {
    return plaintexts.get(this) as string;
  }

  toString(): string {
    return `Secret(${this.hint})`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
