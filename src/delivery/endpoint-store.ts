import type { InboundEvent } from "../model";
import { conversationKey } from "../model";
import { migrate } from "./migrations";

const MIGRATIONS = [
  `CREATE TABLE events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     conversation TEXT NOT NULL,
     body TEXT NOT NULL,
     state TEXT NOT NULL DEFAULT 'pending',
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     last_error TEXT,
     created_at INTEGER NOT NULL,
     delivered_at INTEGER
   );
   CREATE INDEX events_pending ON events (state, conversation, seq);
   CREATE INDEX events_created ON events (created_at);`,
];

/** Delivered events are kept this long: platforms redeliver for up to 7 days, and ids dedupe them. */
export const EVENT_RETENTION_MS = 8 * 24 * 3600_000;

/** An event waiting for delivery, with the body exactly as it will be signed. */
export interface PendingEvent {
  seq: number;
  id: string;
  body: string;
  attempts: number;
}

/**
 * The storage of one business endpoint: every event for it, in arrival order, deduplicated by event id.
 * Events of one conversation are delivered one at a time in order; conversations go in parallel.
 */
export class EndpointStore {
  constructor(private readonly sql: SqlStorage) {
    migrate(sql, MIGRATIONS);
  }

  /** Stores events not seen before; returns how many were new. */
  append(events: InboundEvent[], now: number): number {
    let added = 0;
    for (const e of events) {
      added += this.sql
        .exec(
          `INSERT INTO events (id, conversation, body, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (id) DO NOTHING RETURNING seq`,
          e.id,
          conversationKey(e.conversation),
          JSON.stringify(e),
          now,
          now,
        )
        .toArray().length;
    }
    return added;
  }

  /** The first pending event of each conversation that is due now, oldest first, at most `limit`. */
  due(now: number, limit: number): PendingEvent[] {
    return this.sql
      .exec<PendingEvent & Record<string, SqlStorageValue>>(
        `SELECT e.seq, e.id, e.body, e.attempts FROM events e
         JOIN (SELECT MIN(seq) AS seq FROM events WHERE state = 'pending' GROUP BY conversation) h ON h.seq = e.seq
         WHERE e.next_attempt_at <= ? ORDER BY e.seq LIMIT ?`,
        now,
        limit,
      )
      .toArray();
  }

  /** When the next pending event falls due, if any is pending. */
  nextDue(): number | undefined {
    const row = this.sql
      .exec<{ t: number | null }>(
        `SELECT MIN(e.next_attempt_at) AS t FROM events e
         JOIN (SELECT MIN(seq) AS seq FROM events WHERE state = 'pending' GROUP BY conversation) h ON h.seq = e.seq`,
      )
      .one();
    return row.t ?? undefined;
  }

  markDelivered(seq: number, now: number): void {
    this.sql.exec("UPDATE events SET state = 'delivered', attempts = attempts + 1, delivered_at = ? WHERE seq = ?", now, seq);
  }

  markFailedAttempt(seq: number, nextAttemptAt: number, error: string): void {
    this.sql.exec(
      "UPDATE events SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE seq = ?",
      nextAttemptAt,
      error,
      seq,
    );
  }

  /** Drops delivered events past retention (pending ones are never dropped). */
  prune(now: number): void {
    this.sql.exec("DELETE FROM events WHERE state = 'delivered' AND created_at < ?", now - EVENT_RETENTION_MS);
  }

  counts(): Record<string, number> {
    const rows = this.sql.exec<{ state: string; n: number }>("SELECT state, COUNT(*) AS n FROM events GROUP BY state").toArray();
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }
}
