import { DELIVERED } from "./delivery-log";
import { countChannel, countKey, countMinute, emptyStatsPart, MINUTE_MS, type StatsPart, type StatsWindow } from "./stats";
import { firstKeyAtOrAfter } from "./time-keys";

const EVENTS = { table: "events", key: "seq", time: "created_at" };
const DELIVERIES = { table: "deliveries", key: "seq", time: "at" };

/**
 * What one endpoint outbox shard counts in `window`: customer events received per minute and channel
 * (the copies marked `received`, read by key from the window's start), deliveries acknowledged per
 * minute and failed deliveries by kind (the per-minute counts of the delivery log), the latency of every
 * logged attempt in the window, and the events waiting now: for a first attempt or a retry, or, while
 * the endpoint is `disabled`, as dead letters.
 */
export function endpointShardStats(sql: SqlStorage, window: StatsWindow, disabled: boolean): StatsPart {
  const part = emptyStatsPart();
  const { from, to } = window;
  const firstEvent = firstKeyAtOrAfter(sql, EVENTS, from);
  if (firstEvent !== undefined) {
    // The conversation key is [tenant, channel, account, peer].
    const received = sql.exec<{ m: number; channel: string; n: number }>(
      `SELECT created_at / ${MINUTE_MS} AS m, json_extract(conversation, '$[1]') AS channel, COUNT(*) AS n FROM events
       WHERE seq >= ? AND received = 1 AND created_at >= ? AND created_at < ? GROUP BY m, channel`,
      firstEvent,
      from,
      to,
    );
    for (const r of received) {
      countMinute(part, r.m * MINUTE_MS, "received", r.n);
      countChannel(part, r.channel, "received", r.n);
    }
  }
  const outcomes = sql.exec<{ minute: number; outcome: string; n: number }>(
    "SELECT minute, outcome, n FROM delivery_minutes WHERE minute >= ? AND minute < ?",
    from,
    to,
  );
  for (const r of outcomes) {
    if (r.outcome === DELIVERED) countMinute(part, r.minute, "delivered", r.n);
    else countKey(part.failuresByReason, r.outcome, r.n);
  }
  const firstAttempt = firstKeyAtOrAfter(sql, DELIVERIES, from);
  if (firstAttempt !== undefined) {
    const latencies = sql.exec<{ ms: number; n: number }>(
      "SELECT latency_ms AS ms, COUNT(*) AS n FROM deliveries WHERE seq >= ? AND at >= ? AND at < ? GROUP BY ms",
      firstAttempt,
      from,
      to,
    );
    for (const r of latencies) countKey(part.latencies, String(r.ms), r.n);
  }
  const pending = sql
    .exec<{ n: number; retried: number | null }>(
      "SELECT COUNT(*) AS n, SUM(attempts > 0) AS retried FROM events INDEXED BY events_pending_by_conversation WHERE state = 'pending'",
    )
    .one();
  const retried = pending.retried ?? 0;
  part.totals = disabled ? { queued: 0, retrying: 0, dead: pending.n } : { queued: pending.n - retried, retrying: retried, dead: 0 };
  return part;
}
