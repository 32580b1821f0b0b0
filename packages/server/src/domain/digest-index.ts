/**
 * The set of stored secret digests, held as their first 64 bits in an open-addressing table of two
 * Uint32Arrays: 8 bytes a slot, at most half full, so 16–32 bytes per digest (about 3 MiB for
 * 100,000 keys) and no object per entry. It answers "certainly not stored" exactly (no false
 * negatives) and "maybe stored" with a false-positive chance of n / 2^64: a 64-bit prefix of an
 * HMAC-SHA256 is uniform, so at 10 million keys a made-up secret matches one time in 10^12, and
 * then it only costs the database lookup that every secret cost before. Digests are never removed
 * (a purged key's digest stays a harmless false positive until the next rebuild).
 */
export class DigestIndex {
  private high: Uint32Array;
  private low: Uint32Array;
  private count = 0;

  constructor(expected = 1024) {
    const slots = 2 ** Math.ceil(Math.log2(Math.max(16, expected * 2)));
    this.high = new Uint32Array(slots);
    this.low = new Uint32Array(slots);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get byteLength(): number {
    return this.high.byteLength + this.low.byteLength;
  }

  /** `digest` is lowercase hex, as `Pepper.digest` gives it. */
  add(digest: string): void {
    const [high, low] = prefixOf(digest);
    if (this.findSlot(high, low) >= 0) return;
    if ((this.count + 1) * 2 > this.high.length) this.grow();
    this.place(high, low);
    this.count += 1;
  }

  has(digest: string): boolean {
    const [high, low] = prefixOf(digest);
    return this.findSlot(high, low) >= 0;
  }

  /** The slot holding the prefix, or -1. Slots are probed linearly from the low word, which is already uniform. */
  private findSlot(high: number, low: number): number {
    const mask = this.high.length - 1;
    for (let slot = low & mask; ; slot = (slot + 1) & mask) {
      const storedLow = this.low[slot] as number;
      const storedHigh = this.high[slot] as number;
      if (storedLow === low && storedHigh === high) return slot;
      if (storedLow === 0 && storedHigh === 0) return -1;
    }
  }

  private place(high: number, low: number): void {
    const mask = this.high.length - 1;
    let slot = low & mask;
    while (this.low[slot] !== 0 || this.high[slot] !== 0) slot = (slot + 1) & mask;
    this.high[slot] = high;
    this.low[slot] = low;
  }

  private grow(): void {
    const [high, low] = [this.high, this.low];
    this.high = new Uint32Array(high.length * 2);
    this.low = new Uint32Array(low.length * 2);
    for (let slot = 0; slot < high.length; slot += 1) {
      if (high[slot] !== 0 || low[slot] !== 0) this.place(high[slot] as number, low[slot] as number);
    }
  }
}

/** The first 64 bits of a hex digest; the all-zero prefix (the empty-slot mark) is stored as 1. */
function prefixOf(digest: string): [number, number] {
  const high = Number.parseInt(digest.slice(0, 8), 16) >>> 0;
  const low = Number.parseInt(digest.slice(8, 16), 16) >>> 0;
  return high === 0 && low === 0 ? [0, 1] : [high, low];
}
