/**
 * Lists merged from shards (src/api/shard-pages.ts): whatever the shards hold, how many rows each may
 * examine per page and how small the pages are, paging with `next` yields every matching row once,
 * newest first.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeShardPages, newestFirst, type Place, type ShardKey, shardBound } from "../../src/api/shard-pages";

interface Row extends ShardKey {
  match: boolean;
}

/**
 * A shard as the stores behave: rows newest first below a bound, at most `budget` examined, at most
 * `limit` matches, and a floor when it stopped before its end (as scanMessages does).
 */
function scan(rows: readonly Row[], bound: ShardKey | undefined, limit: number, budget: number): { rows: ShardKey[]; floor?: ShardKey } {
  const below = rows.filter((r) => !bound || r.at < bound.at || (r.at === bound.at && r.seq < bound.seq)).sort((a, b) => b.at - a.at || b.seq - a.seq);
  const examined = below.slice(0, budget);
  const complete = examined.length < budget;
  const hits: ShardKey[] = [];
  for (const [i, r] of examined.entries()) {
    if (!r.match) continue;
    hits.push({ at: r.at, seq: r.seq });
    if (hits.length === limit) return complete && i === examined.length - 1 ? { rows: hits } : { rows: hits, floor: r };
  }
  const last = examined[examined.length - 1];
  return complete || !last ? { rows: hits } : { rows: hits, floor: last };
}

/** A shard's rows: keys 1, 2, 3... with times that never go back. */
const shardRows = fc.array(fc.record({ step: fc.integer({ min: 0, max: 3 }), match: fc.boolean() }), { maxLength: 30 }).map((steps) => {
  let at = 1_000;
  return steps.map((s, i): Row => ({ at: (at += s.step), seq: i + 1, match: s.match }));
});

describe("mergeShardPages", () => {
  it("pages through every matching row of every shard once, newest first", () => {
    fc.assert(
      fc.property(
        fc.array(shardRows, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 9 }),
        fc.option(fc.integer({ min: 1_000, max: 1_060 }), { nil: undefined }),
        (shards, limit, budget, until) => {
          const named = shards.map((rows, k) => ({ name: `s${k}`, rows }));
          const expected = named
            .flatMap((s) => s.rows.filter((r) => r.match && (until === undefined || r.at < until)).map((r) => ({ at: r.at, seq: r.seq, shard: s.name })))
            .sort(newestFirst);
          const seen: Place[] = [];
          let cursor: Place | undefined;
          for (let pages = 0; pages < 500; pages++) {
            const page = mergeShardPages(
              named.map((s) => ({ shard: s.name, ...scan(s.rows, shardBound(s.name, cursor, until), limit + 1, budget) })),
              limit,
            );
            expect(page.rows.length).toBeLessThanOrEqual(limit);
            seen.push(...page.rows.map((r) => ({ at: r.at, seq: r.seq, shard: r.shard })));
            if (!page.next) break;
            // Every page moves on.
            if (cursor) expect(newestFirst(cursor, page.next)).toBeLessThan(0);
            cursor = page.next;
          }
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ["no cursor, no end", "b", undefined, undefined, undefined],
    ["the cursor's own shard: below its key", "b", { at: 5, shard: "b", seq: 3 }, undefined, { at: 5, seq: 3 }],
    ["a shard ordered below the cursor's: its rows at the cursor's time come after it", "a", { at: 5, shard: "b", seq: 3 }, undefined, { at: 5, seq: Number.MAX_SAFE_INTEGER }],
    ["a shard ordered above the cursor's: only earlier rows", "c", { at: 5, shard: "b", seq: 3 }, undefined, { at: 5, seq: 0 }],
    ["an end before the cursor wins", "b", { at: 5, shard: "b", seq: 3 }, 4, { at: 4, seq: 0 }],
    ["a cursor before the end wins", "b", { at: 5, shard: "b", seq: 3 }, 9, { at: 5, seq: 3 }],
  ] as [string, string, Place | undefined, number | undefined, ShardKey | undefined][])("bounds %s", (_, shard, cursor, until, bound) => {
    expect(shardBound(shard, cursor, until)).toEqual(bound);
  });
});
