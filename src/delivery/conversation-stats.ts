import { countChannel, countKey, countMinute, emptyStatsPart, MINUTE_MS, type StatsPart, type StatsWindow } from "./stats";
import { firstKeyAtOrAfter } from "./time-keys";

/** Status steps in key order, each at the time the relay recorded it (steps from before that was kept: their own time). */
const HISTORY = { table: "history", key: "rowid", time: "COALESCE(recorded_at, at)" };

/**
 * What one conversation outbox shard (of an account on `channel`) counts in `window`: messages accepted
 * per minute (down the acceptance index), messages sent and failed per minute and failures by reason
 * (the status steps recorded in the window, read by key from its start), and the messages waiting now
 * (first attempt or retry) and failed. Every query reads the window's rows or an index, never the whole
 * shard.
 */
export function conversationShardStats(sql: SqlStorage, window: StatsWindow, channel: string): StatsPart {
  const part = emptyStatsPart();
  const { from, to } = window;
  const accepted = sql.exec<{ m: number; n: number }>(
    `SELECT created_at / ${MINUTE_MS} AS m, COUNT(*) AS n FROM messages INDEXED BY messages_created
     WHERE created_at >= ? AND created_at < ? GROUP BY m`,
    from,
    to,
  );
  for (const r of accepted) {
    countMinute(part, r.m * MINUTE_MS, "messages", r.n);
    countChannel(part, channel, "messages", r.n);
  }
  const first = firstKeyAtOrAfter(sql, HISTORY, from);
  if (first !== undefined) {
    const inWindow = `${HISTORY.key} >= ? AND ${HISTORY.time} >= ? AND ${HISTORY.time} < ?`;
    const steps = sql.exec<{ m: number; status: "sent" | "failed"; n: number }>(
      `SELECT ${HISTORY.time} / ${MINUTE_MS} AS m, status, COUNT(*) AS n FROM history
       WHERE ${inWindow} AND status IN ('sent', 'failed') GROUP BY m, status`,
      first,
      from,
      to,
    );
    for (const r of steps) {
      countMinute(part, r.m * MINUTE_MS, r.status, r.n);
      countChannel(part, channel, r.status, r.n);
    }
    const reasons = sql.exec<{ reason: string; n: number }>(
      `SELECT COALESCE(json_extract(error, '$.reason'), 'unknown') AS reason, COUNT(*) AS n FROM history
       WHERE ${inWindow} AND status = 'failed' GROUP BY reason`,
      first,
      from,
      to,
    );
    for (const r of reasons) countKey(part.failuresByReason, r.reason, r.n);
  }
  // Waiting messages are in a partial index; one has failed an attempt when it has more attempts than parts sent.
  const waiting = sql
    .exec<{ n: number; retrying: number | null }>(
      `SELECT COUNT(*) AS n, SUM(attempts > parts_sent) AS retrying FROM messages INDEXED BY messages_peer_pending
       WHERE next_attempt_at IS NOT NULL`,
    )
    .one();
  const failed = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM messages INDEXED BY messages_failed_created WHERE status = 'failed'").one();
  const retrying = waiting.retrying ?? 0;
  part.totals = { queued: waiting.n - retrying, retrying, dead: failed.n };
  return part;
}
