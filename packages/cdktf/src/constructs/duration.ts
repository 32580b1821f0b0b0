import { DURATION_EXPECTED, parseDuration } from "@keyward/contract";
import { Token } from "./cdktf";

/**
 * A length of time, written the way the key service and the provider read it (SPEC §2): `90s`,
 * `15m`, `24h`, `30d`, or Go-style compounds such as `720h` and `1h30m`.
 *
 * A malformed duration does not throw where it is written: the construct that uses it reports it at
 * synthesis, with its own path and the attribute, so the message points at the declaration to fix.
 *
 * @example
 * Duration.days(30);        // "30d"
 * Duration.parse("720h");   // "720h", 30 days
 */
export class Duration {
  /** A duration of `amount` whole seconds. */
  static seconds(amount: number): Duration {
    return new Duration(`${amount}s`);
  }

  /** A duration of `amount` whole minutes. */
  static minutes(amount: number): Duration {
    return new Duration(`${amount}m`);
  }

  /** A duration of `amount` whole hours. */
  static hours(amount: number): Duration {
    return new Duration(`${amount}h`);
  }

  /** A duration of `amount` whole days. */
  static days(amount: number): Duration {
    return new Duration(`${amount}d`);
  }

  /**
   * A duration from its text, e.g. `"30d"` or `"720h"`, kept exactly as written. A Terraform
   * reference (a token such as a variable's value) is passed through and checked by the provider at plan.
   */
  static parse(text: string): Duration {
    return new Duration(text);
  }

  private constructor(private readonly text: string) {}

  /** Whether the value is only known at plan time (a Terraform reference), so it cannot be checked here. */
  get isUnresolved(): boolean {
    return Token.isUnresolved(this.text);
  }

  /** The length in milliseconds; `undefined` when the text is not a duration or is unresolved. */
  toMilliseconds(): number | undefined {
    return parseDuration(this.text);
  }

  /**
   * Why this duration cannot be used, or `undefined` when it can.
   *
   * @param attribute the attribute the duration is given for, named in the message (e.g. `rotation.every`)
   */
  problem(attribute: string): string | undefined {
    if (this.isUnresolved || this.toMilliseconds() !== undefined) return undefined;
    return `${attribute} '${this.text}' is not a duration: expected ${DURATION_EXPECTED}, e.g. Duration.days(30) or Duration.parse("720h")`;
  }

  /** The duration as Terraform receives it, e.g. `30d`. */
  toString(): string {
    return this.text;
  }
}
