/**
 * Finding where a time window starts in an append-only table, by its integer key: rows are appended with
 * the time they were recorded, so time grows with the key, and the first row of a window is found with
 * a binary search over the key (a few lookups by primary key) instead of an index on the time, which
 * every insert would have to write.
 */

/** An append-only table: its integer key column, and the expression of the time each row was recorded. */
export interface TimedTable {
  table: string;
  key: string;
  time: string;
}

/**
 * The smallest key whose row was recorded at or after `from` (epoch ms), assuming time grows with the
 * key; one past the last key when every row is older, and undefined when the table is empty. At most
 * about 2·log2(keys) lookups by primary key, whatever the table's size.
 */
export function firstKeyAtOrAfter(sql: SqlStorage, t: TimedTable, from: number): number | undefined {
  const range = sql.exec<{ lo: number | null; hi: number | null }>(`SELECT MIN(${t.key}) AS lo, MAX(${t.key}) AS hi FROM ${t.table}`).one();
  if (range.lo === null || range.hi === null) return undefined;
  // The time of the first row at or after key `k` (none: past the end, which counts as "not older").
  const timeFrom = (k: number) =>
    sql.exec<{ t: number }>(`SELECT ${t.time} AS t FROM ${t.table} WHERE ${t.key} >= ? ORDER BY ${t.key} LIMIT 1`, k).toArray()[0]?.t;
  let lo = range.lo;
  let hi = range.hi + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const time = timeFrom(mid);
    if (time === undefined || time >= from) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
