import { randomBytes } from "node:crypto";

/** `size` random bytes. Injected so tests can make ids and secrets predictable. */
export type RandomSource = (size: number) => Uint8Array;

export const cryptoRandom: RandomSource = (size) => randomBytes(size);
