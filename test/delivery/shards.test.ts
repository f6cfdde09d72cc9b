import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONVERSATION_SHARDS, shardOf } from "../../src/delivery/shards";

describe("shards", () => {
  it("a key always maps to the same shard, within range", () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 64 }), (key, shards) => {
        const shard = shardOf(key, shards);
        expect(shard).toBeGreaterThanOrEqual(0);
        expect(shard).toBeLessThan(shards);
        expect(shardOf(key, shards)).toBe(shard);
      }),
    );
  });

  it("spreads customers' numbers evenly enough over an account's shards", () => {
    const counts = new Array<number>(CONVERSATION_SHARDS).fill(0);
    for (let i = 0; i < 16_000; i++) counts[shardOf(`49${1_500_000_000 + i}`, CONVERSATION_SHARDS)]!++;
    // 1,000 each on average: none more than 15% off.
    for (const n of counts) expect(Math.abs(n - 1000)).toBeLessThan(150);
  });
});
