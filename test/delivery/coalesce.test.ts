import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Coalescer } from "../../src/delivery/coalesce";

/** A call that finishes when told to, recording what it was given. */
function recorder() {
  const calls: { key: string; items: number[]; finish: (error?: Error) => void }[] = [];
  const coalescer = new Coalescer<number>(
    (key, items) =>
      new Promise<void>((resolve, reject) => {
        calls.push({ key, items, finish: (error) => (error ? reject(error) : resolve()) });
      }),
  );
  return { calls, coalescer };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe("coalescer", () => {
  it("a lone add goes at once; adds during a call go together in the next one, in order", async () => {
    const { calls, coalescer } = recorder();
    const first = coalescer.add("k", [1]);
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    const second = coalescer.add("k", [2, 3]);
    const third = coalescer.add("k", [4]);
    const other = coalescer.add("other", [9]);
    expect(calls.map((c) => c.items)).toEqual([[1], [9]]);
    calls[0]!.finish();
    await first;
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1], [9], [2, 3, 4]]);
    calls[2]!.finish();
    calls[1]!.finish();
    await Promise.all([second, third, other]);
  });

  it("a failed call fails the adds of its batch only", async () => {
    const { calls, coalescer } = recorder();
    const first = coalescer.add("k", [1]);
    const second = coalescer.add("k", [2]);
    calls[0]!.finish(new Error("busy"));
    await expect(first).rejects.toThrow("busy");
    await tick();
    calls[1]!.finish();
    await expect(second).resolves.toBeUndefined();
  });

  it("whatever the timing, every item goes exactly once and in the order added", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.boolean()), { minLength: 1, maxLength: 40 }), async (steps) => {
        const seen: number[] = [];
        const coalescer = new Coalescer<number>(async (_, items) => {
          await tick();
          seen.push(...items);
        });
        const adds: Promise<void>[] = [];
        for (const [i, [, wait]] of steps.entries()) {
          adds.push(coalescer.add("k", [i]));
          if (wait) await tick();
        }
        await Promise.all(adds);
        expect(seen).toEqual(steps.map((_, i) => i));
      }),
    );
  });
});
