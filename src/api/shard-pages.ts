/**
 * One list, newest first, from many shards (Durable Objects) read in parallel: each shard answers the
 * newest rows below a bound, and the merge keeps only what no shard may still hide. A row's place is its
 * time, then its shard, then its key in the shard: a total order, so pages neither skip nor repeat.
 */
import * as z from "zod";

/** A place in a shard: a time (epoch ms) and the shard's own key, which grows with time. */
export interface ShardKey {
  at: number;
  seq: number;
}

/** A row's place in the merged list. */
export interface Place extends ShardKey {
  shard: string;
}

/** A place as a cursor carries it: [at, shard, seq]. */
export const PlaceCursor = z
  .tuple([z.number().int(), z.string().max(200), z.number().int().min(0)])
  .transform(([at, shard, seq]): Place => ({ at, shard, seq }));

export const placeCursor = (p: Place) => [p.at, p.shard, p.seq] as const;

const compareKeys = (a: ShardKey, b: ShardKey) => a.at - b.at || a.seq - b.seq;

/** Orders places newest first. */
export function newestFirst(a: Place, b: Place): number {
  return b.at - a.at || (a.shard < b.shard ? 1 : a.shard > b.shard ? -1 : 0) || b.seq - a.seq;
}

/**
 * The bound below which `shard` answers rows that come after `cursor` in the merged list, and before
 * `until` (epoch ms) when given: strictly below the returned key. Undefined: no bound.
 */
export function shardBound(shard: string, cursor?: Place, until?: number): ShardKey | undefined {
  let bound: ShardKey | undefined;
  if (cursor) {
    // At the cursor's time, shards ordered below the cursor's come after it, those above before it.
    const seq = shard === cursor.shard ? cursor.seq : shard < cursor.shard ? Number.MAX_SAFE_INTEGER : 0;
    bound = { at: cursor.at, seq };
  }
  if (until !== undefined) {
    const end = { at: until, seq: 0 };
    if (!bound || compareKeys(end, bound) < 0) bound = end;
  }
  return bound;
}

/** What one shard answered: its rows newest first, and `floor` when rows below it were not looked at. */
export interface ShardPage<R extends ShardKey> {
  shard: string;
  rows: R[];
  floor?: ShardKey;
}

/**
 * Merges shard pages into one page of at most `limit` rows, newest first. Only rows at or above the
 * highest floor are certain to be in order (a shard may hide rows below its floor), so the page stops
 * there, and `next` continues below its last row, or below that floor when the page is short.
 */
export function mergeShardPages<R extends ShardKey>(pages: readonly ShardPage<R>[], limit: number): { rows: (R & { shard: string })[]; next?: Place } {
  const floors = pages.flatMap((p) => (p.floor ? [{ ...p.floor, shard: p.shard }] : []));
  const highest = floors.sort(newestFirst)[0];
  const rows = pages
    .flatMap((p) => p.rows.map((r) => ({ ...r, shard: p.shard })))
    .filter((r) => !highest || newestFirst(r, highest) <= 0)
    .sort(newestFirst);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const next = rows.length > limit && last ? { at: last.at, shard: last.shard, seq: last.seq } : highest;
  return { rows: page, ...(next && { next }) };
}
