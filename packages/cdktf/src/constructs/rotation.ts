import { Duration } from "./duration";

const DEFAULT_GRACE_PERIOD = Duration.hours(24);

/**
 * A key's rotation schedule (SPEC §2): a new secret every `period`, the previous one still verifying
 * for `gracePeriod` afterwards so that deployments can pick the new secret up.
 *
 * @example
 * Rotation.every(Duration.days(30)).withGracePeriod(Duration.hours(24));
 */
export class Rotation {
  /**
   * Rotate every `period`.
   *
   * The grace period defaults to 24 hours, or to `period` itself when that is shorter (the key
   * service rejects a grace period longer than the period); change it with {@link withGracePeriod}.
   */
  static every(period: Duration): Rotation {
    const milliseconds = period.toMilliseconds();
    const gracePeriod =
      milliseconds !== undefined && milliseconds < (DEFAULT_GRACE_PERIOD.toMilliseconds() ?? 0) ? period : DEFAULT_GRACE_PERIOD;
    return new Rotation(period, gracePeriod, false);
  }

  private constructor(
    /** How often the key is rotated. */
    readonly period: Duration,
    /** How long the previous secret keeps verifying after a rotation. */
    readonly gracePeriod: Duration,
    /** True when the grace period starts at the new secret's first successful verification (SPEC §18). */
    readonly graceStartsOnFirstUse: boolean,
  ) {}

  /** The same schedule with the previous secret verifying for `gracePeriod` after each rotation. */
  withGracePeriod(gracePeriod: Duration): Rotation {
    return new Rotation(this.period, gracePeriod, this.graceStartsOnFirstUse);
  }

  /**
   * The same schedule with the grace period starting at the new secret's first successful
   * verification instead of at the rotation, never later than the project policy's
   * `maxGracePeriod` (7 days unless set) after the rotation.
   */
  withGraceStartingOnFirstUse(): Rotation {
    return new Rotation(this.period, this.gracePeriod, true);
  }

  /**
   * Why this schedule cannot be used, each naming the attribute and the value; empty when it can.
   *
   * @param attribute the attribute the schedule is given for, named in the messages (`rotation` unless given)
   */
  problems(attribute = "rotation"): string[] {
    const malformed = [this.period.problem(`${attribute}.every`), this.gracePeriod.problem(`${attribute}.grace_period`)];
    const problems = malformed.filter((problem): problem is string => problem !== undefined);
    if (problems.length > 0) return problems;
    const period = this.period.toMilliseconds();
    const gracePeriod = this.gracePeriod.toMilliseconds();
    if (period !== undefined && gracePeriod !== undefined && gracePeriod > period) {
      return [
        `${attribute}.grace_period '${this.gracePeriod}' is longer than ${attribute}.every '${this.period}': ` +
          "the previous secret cannot outlive the next rotation; shorten the grace period or lengthen the period",
      ];
    }
    return [];
  }

  /** The schedule as the provider's `rotation` attribute. */
  toTerraform(): { every: string; gracePeriod: string; graceStarts?: string } {
    return { every: this.period.toString(), gracePeriod: this.gracePeriod.toString(), ...(this.graceStartsOnFirstUse && { graceStarts: "on_first_use" }) };
  }
}
