import type { DeliveryResponse } from "./delivery-outcome";
import { minuteOf } from "./stats";

/** Attempts one endpoint shard keeps in its log: the newest, the older ones pruned as new ones come. */
export const DELIVERY_LOG_ROWS = 2_000;
/** How long per-minute counts of outcomes are kept: beyond the longest statistics window (a day). */
export const DELIVERY_MINUTES_KEPT_MS = 2 * 24 * 3600_000;
/** Attempts logged between two prunes. */
const PRUNE_EVERY = 100;
/** The outcome counted for an acknowledged delivery; every other outcome is a failure kind. */
export const DELIVERED = "delivered";

/** One attempt to deliver an event, as the log keeps it. */
export interface LoggedDelivery {
  /** The log's key in its shard: larger is newer. */
  seq: number;
  /** When the attempt ended, epoch ms (never before the attempt logged before it). */
  at: number;
  eventId: string;
  /** 1 for the first attempt of the event. */
  attempt: number;
  /** The HTTP status the endpoint answered; absent when it did not answer. */
  status?: number;
  latencyMs: number;
  /** Why it failed. */
  error?: string;
  delivered: boolean;
}

/** A place in a shard's log, newest first. */
export interface LogKey {
  at: number;
  seq: number;
}

/**
 * What kind of outcome an attempt had, for statistics: `delivered`, or a stable failure kind: the
 * endpoint answered 410 (`endpoint_gone`), 429 (`endpoint_rate_limited`), another 4xx or 5xx
 * (`endpoint_http_4xx`, `endpoint_http_5xx`) or something else (`endpoint_http_other`); it did not
 * answer in time (`endpoint_timeout`) or at all (`endpoint_unreachable`); or its URL was refused
 * (`endpoint_refused`, e.g. a redirect or a private address).
 */
export function deliveryOutcome(response: DeliveryResponse): string {
  if (response.kind === "unreachable") {
    if (/TimeoutError|AbortError/.test(response.detail)) return "endpoint_timeout";
    return response.detail.startsWith("RefusedUrlError") ? "endpoint_refused" : "endpoint_unreachable";
  }
  const { status } = response;
  if (status >= 200 && status < 300) return DELIVERED;
  if (status === 410) return "endpoint_gone";
  if (status === 429) return "endpoint_rate_limited";
  if (status >= 400 && status < 500) return "endpoint_http_4xx";
  return status >= 500 && status < 600 ? "endpoint_http_5xx" : "endpoint_http_other";
}

interface Row extends Record<string, SqlStorageValue> {
  seq: number;
  at: number;
  event_id: string;
  attempt: number;
  status: number | null;
  latency_ms: number;
  error: string | null;
}

/**
 * The delivery log of one endpoint outbox shard: every attempt with its outcome and latency (the newest
 * DELIVERY_LOG_ROWS), and per-minute counts of outcomes (for DELIVERY_MINUTES_KEPT_MS), written in the
 * transaction that records the outcome. Times never go back along the key, so the log reads newest first
 * by its key alone.
 */
export class DeliveryLog {
  /** The time of the newest attempt logged: this log is its table's only writer. */
  private lastAt: number | undefined;
  /** Attempts logged since the log was last pruned. */
  private sincePrune = 0;

  constructor(private readonly sql: SqlStorage) {}

  /** Logs one attempt that ended at `now`. */
  add(attempt: { eventId: string; attempt: number; latencyMs: number; response: DeliveryResponse }, now: number): void {
    const { response } = attempt;
    const outcome = deliveryOutcome(response);
    const error = outcome === DELIVERED ? null : response.kind === "answered" ? `HTTP ${response.status}` : response.detail;
    this.lastAt ??= this.sql.exec<{ at: number }>("SELECT at FROM deliveries ORDER BY seq DESC LIMIT 1").toArray()[0]?.at ?? 0;
    // A clock that stepped back logs at the last time: the log's order is its key's.
    const at = (this.lastAt = Math.max(now, this.lastAt));
    this.sql.exec(
      "INSERT INTO deliveries (at, event_id, attempt, status, latency_ms, error) VALUES (?, ?, ?, ?, ?, ?)",
      at,
      attempt.eventId,
      attempt.attempt,
      response.kind === "answered" ? response.status : null,
      Math.max(0, Math.round(attempt.latencyMs)),
      error,
    );
    this.sql.exec(
      "INSERT INTO delivery_minutes (minute, outcome, n) VALUES (?, ?, 1) ON CONFLICT (minute, outcome) DO UPDATE SET n = n + 1",
      minuteOf(at),
      outcome,
    );
    this.sincePrune++;
  }

  /** Keeps the newest DELIVERY_LOG_ROWS attempts and the counts of DELIVERY_MINUTES_KEPT_MS: each a range of keys. */
  prune(now: number): void {
    this.sql.exec("DELETE FROM deliveries WHERE seq <= (SELECT MAX(seq) FROM deliveries) - ?", DELIVERY_LOG_ROWS);
    this.sql.exec("DELETE FROM delivery_minutes WHERE minute < ?", now - DELIVERY_MINUTES_KEPT_MS);
    this.sincePrune = 0;
  }

  /**
   * Prunes once every PRUNE_EVERY attempts rather than after each: the log then holds a few more rows
   * than it keeps for a moment, and two statements are saved on nearly every delivery.
   */
  pruneWhenDue(now: number): void {
    if (this.sincePrune >= PRUNE_EVERY) this.prune(now);
  }

  /** The newest `limit` attempts strictly before `before`, newest first. */
  page(before: LogKey | undefined, limit: number): LoggedDelivery[] {
    const rows = before
      ? this.sql.exec<Row>("SELECT * FROM deliveries WHERE at < ? OR (at = ? AND seq < ?) ORDER BY seq DESC LIMIT ?", before.at, before.at, before.seq, limit)
      : this.sql.exec<Row>("SELECT * FROM deliveries ORDER BY seq DESC LIMIT ?", limit);
    return rows.toArray().map((r) => ({
      seq: r.seq,
      at: r.at,
      eventId: r.event_id,
      attempt: r.attempt,
      ...(r.status !== null && { status: r.status }),
      latencyMs: r.latency_ms,
      ...(r.error !== null && { error: r.error }),
      delivered: r.error === null,
    }));
  }
}
