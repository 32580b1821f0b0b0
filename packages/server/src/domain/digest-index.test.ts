import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DigestIndex } from "./digest-index";

const digest = (text: string) => createHash("sha256").update(text).digest("hex");

describe("DigestIndex", () => {
  it("holds every digest added, through growth, and no other", () => {
    const index = new DigestIndex(4);
    for (let i = 0; i < 20_000; i += 1) index.add(digest(`stored-${i}`));
    expect(index.size).toBe(20_000);
    for (let i = 0; i < 20_000; i += 1) expect(index.has(digest(`stored-${i}`))).toBe(true);
    let strangers = 0;
    for (let i = 0; i < 20_000; i += 1) if (index.has(digest(`never-${i}`))) strangers += 1;
    expect(strangers).toBe(0);
  });

  it("adds a digest once, and keeps the all-zero prefix apart from an empty slot", () => {
    const index = new DigestIndex();
    const zero = "0".repeat(64);
    expect(index.has(zero)).toBe(false);
    index.add(zero);
    index.add(zero);
    expect(index.size).toBe(1);
    expect(index.has(zero)).toBe(true);
  });

  it("stays compact: under 40 bytes a digest at 100,000", () => {
    const index = new DigestIndex();
    for (let i = 0; i < 100_000; i += 1) index.add(digest(`k${i}`));
    expect(index.byteLength / index.size).toBeLessThan(40);
  });
});
