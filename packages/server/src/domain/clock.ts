/** The time source. Injected so expiry and rotation are tested with a clock the test moves. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
