import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../src/delivery/token-bucket";

describe("token bucket", () => {
  it("grants the burst at once, then one token per 1/rate seconds", () => {
    const bucket = new TokenBucket(10, 2, 0);
    const steps: [number, number][] = [
      [0, 0],
      [0, 0],
      [0, 100], // empty: the next token in 100 ms
      [50, 50],
      [100, 0],
      [100, 100],
      [1_000, 0], // refilled to the burst, not beyond
      [1_000, 0],
      [1_000, 100],
    ];
    for (const [now, wait] of steps) expect(bucket.take(now), `at ${now}`).toBe(wait);
  });

  it("tells the wait without taking a token", () => {
    const bucket = new TokenBucket(10, 1, 0);
    expect(bucket.waitMs(0)).toBe(0);
    expect(bucket.waitMs(0)).toBe(0);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.waitMs(40)).toBe(60);
    expect(bucket.take(40)).toBe(60);
    expect(bucket.waitMs(100)).toBe(0);
  });

  it("a new rate applies from now, keeping saved tokens up to the new burst", () => {
    const bucket = new TokenBucket(1, 5, 0);
    bucket.setRate(100, 1, 0);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(0)).toBe(10);
    expect(bucket.take(10)).toBe(0);
  });

  it("never grants more than burst + rate x elapsed, whatever the calls", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 50 }), fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 300 }), (rate, burst, gaps) => {
        const bucket = new TokenBucket(rate, burst, 0);
        let now = 0;
        let granted = 0;
        for (const gap of gaps) {
          now += gap;
          if (bucket.take(now) === 0) granted++;
        }
        expect(granted).toBeLessThanOrEqual(burst + (rate * now) / 1000 + 1e-9);
      }),
    );
  });

  it("the wait it announces is enough: a take after it is granted", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 100 }), (rate, burst, takes) => {
        const bucket = new TokenBucket(rate, burst, 0);
        let now = 0;
        for (let i = 0; i < takes; i++) {
          const wait = bucket.take(now);
          if (wait > 0) {
            now += wait;
            expect(bucket.take(now)).toBe(0);
          }
        }
      }),
    );
  });
});
