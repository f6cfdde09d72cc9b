import type { ConversationAddress, InboundEvent } from "../model";
import { conversationKey } from "../model";
import { migrate } from "./migrations";

/** The SQLite schema of an endpoint outbox shard, as append-only numbered migrations. */
export const ENDPOINT_MIGRATIONS = [
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
  `CREATE TABLE endpoint_state (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     state TEXT NOT NULL DEFAULT 'enabled',
     reason TEXT,
     disabled_at INTEGER,
     failing_since INTEGER
   );
   INSERT INTO endpoint_state (id) VALUES (1);
   CREATE TABLE dead_messages (
     message_id TEXT PRIMARY KEY,
     conversation TEXT NOT NULL,
     reason TEXT NOT NULL,
     detail TEXT,
     attempts INTEGER,
     failed_at INTEGER NOT NULL
   );`,
  // Each conversation's first pending event, so that finding what is due reads one row per conversation
  // rather than grouping every pending event.
  `CREATE TABLE heads (conversation TEXT PRIMARY KEY, seq INTEGER NOT NULL, due_at INTEGER NOT NULL);
   CREATE INDEX heads_seq ON heads (seq);
   CREATE INDEX heads_due ON heads (due_at);
   INSERT INTO heads (conversation, seq, due_at)
     SELECT e.conversation, e.seq, e.next_attempt_at FROM events e
     JOIN (SELECT MIN(seq) AS seq FROM events WHERE state = 'pending' GROUP BY conversation) h ON h.seq = e.seq;`,
  // Every index is written on every event: pruning reads the oldest rows by their key instead, and the
  // earliest head is read once per alarm.
  `DROP INDEX events_created;
   DROP INDEX heads_due;`,
  // The delivery log (delivery-log.ts): every attempt with its outcome and latency, the newest kept, and
  // per-minute counts of outcomes for statistics. `received` marks the one copy of a customer's event
  // that statistics count: the copy of the first endpoint it was routed to.
  `CREATE TABLE deliveries (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     event_id TEXT NOT NULL,
     attempt INTEGER NOT NULL,
     status INTEGER,
     latency_ms INTEGER NOT NULL,
     error TEXT
   );
   CREATE TABLE delivery_minutes (
     minute INTEGER NOT NULL,
     outcome TEXT NOT NULL,
     n INTEGER NOT NULL,
     PRIMARY KEY (minute, outcome)
   ) WITHOUT ROWID;
   ALTER TABLE events ADD COLUMN received INTEGER NOT NULL DEFAULT 0;`,
  // Each conversation's pending events, where its next head is found: only pending events are indexed,
  // so a delivery takes its event out of the index instead of moving it under another state.
  `CREATE INDEX events_pending_by_conversation ON events (conversation, seq) WHERE state = 'pending';
   DROP INDEX events_pending;`,
];


/** Whether the endpoint receives deliveries, and why not. */
export interface EndpointState {
  state: "enabled" | "disabled";
  reason?: string;
  disabledAt?: number;
  /** Start of the current run of failed deliveries (none succeeded since). */
  failingSince?: number;
}

/** A failed outbound message or an event that could not be delivered, for `GET /v1/dead-letters`. */
export interface DeadLetter {
  id: string;
  kind: "message" | "event";
  conversation: ConversationAddress;
  reason: string;
  detail?: string;
  attempts: number;
  at: string;
}

/**
 * Values one statement may bind: Durable Object SQLite refuses more than 100.
 * @see https://developers.cloudflare.com/durable-objects/platform/limits/
 */
const MAX_BOUND_PARAMETERS = 100;

/** Oldest events looked at per prune (each alarm prunes). */
const PRUNE_BATCH = 1000;

/** Delivered events are kept this long: platforms redeliver for up to 7 days, and ids dedupe them. */
export const EVENT_RETENTION_MS = 8 * 24 * 3600_000;

/** An event waiting for delivery, with the body exactly as it will be signed. */
export interface PendingEvent {
  seq: number;
  id: string;
  conversation: string;
  body: string;
  attempts: number;
}

/**
 * The storage of one outbox shard of a business endpoint: every event of its conversations, in arrival
 * order, deduplicated by event id. Events of one conversation are delivered one at a time in order;
 * conversations go in parallel.
 */
export class EndpointStore {
  /** The endpoint's state as last read: this store is its only writer, and every write forgets it. */
  private cachedState: EndpointState | undefined;

  constructor(private readonly sql: SqlStorage) {
    migrate(sql, ENDPOINT_MIGRATIONS);
  }

  /**
   * Stores events not seen before; returns how many were new. Those in `received` are the copies that
   * statistics count as received (each customer event in one endpoint only).
   */
  append(events: InboundEvent[], now: number, received: ReadonlySet<string> = new Set()): number {
    let added = 0;
    for (const e of events) {
      const conversation = conversationKey(e.conversation);
      const row = this.sql
        .exec<{ seq: number }>(
          `INSERT INTO events (id, conversation, body, next_attempt_at, created_at, received) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO NOTHING RETURNING seq`,
          e.id,
          conversation,
          JSON.stringify(e),
          now,
          now,
          received.has(e.id) ? 1 : 0,
        )
        .toArray()[0];
      if (!row) continue;
      added++;
      this.sql.exec("INSERT INTO heads (conversation, seq, due_at) VALUES (?, ?, ?) ON CONFLICT (conversation) DO NOTHING", conversation, row.seq, now);
    }
    return added;
  }

  /**
   * The first pending event of each conversation that is due now, oldest first, at most `limit`,
   * skipping the conversations in `busy` (an event of theirs is being delivered).
   */
  due(now: number, limit: number, busy: ReadonlySet<string> = new Set()): PendingEvent[] {
    // One statement, the heads in their index's order (without it SQLite reads and sorts every due
    // head), the busy conversations left out by SQLite as far as bound values allow.
    const excluded = [...busy].slice(0, MAX_BOUND_PARAMETERS - 2);
    return this.sql
      .exec<PendingEvent & Record<string, SqlStorageValue>>(
        `SELECT e.seq, e.id, e.conversation, e.body, e.attempts FROM heads h INDEXED BY heads_seq JOIN events e ON e.seq = h.seq
         WHERE h.due_at <= ?${excluded.length > 0 ? ` AND h.conversation NOT IN (${excluded.map(() => "?").join(", ")})` : ""}
         ORDER BY h.seq LIMIT ?`,
        now,
        ...excluded,
        limit + busy.size - excluded.length,
      )
      .toArray()
      .filter((e) => !busy.has(e.conversation))
      .slice(0, limit);
  }

  /** When the next pending event falls due, if any is pending. */
  nextDue(): number | undefined {
    return this.sql.exec<{ t: number | null }>("SELECT MIN(due_at) AS t FROM heads").one().t ?? undefined;
  }

  /** Sets a conversation's head to its first pending event (none: it leaves `heads`). */
  private refreshHead(conversation: string): void {
    this.sql.exec("DELETE FROM heads WHERE conversation = ?", conversation);
    this.sql.exec(
      `INSERT INTO heads (conversation, seq, due_at) SELECT conversation, seq, next_attempt_at FROM events
       WHERE conversation = ? AND state = 'pending' ORDER BY seq LIMIT 1`,
      conversation,
    );
  }

  private rebuildHeads(): void {
    this.sql.exec("DELETE FROM heads");
    this.sql.exec(
      `INSERT INTO heads (conversation, seq, due_at) SELECT e.conversation, e.seq, e.next_attempt_at FROM events e
       JOIN (SELECT MIN(seq) AS seq FROM events WHERE state = 'pending' GROUP BY conversation) h ON h.seq = e.seq`,
    );
  }

  markDelivered(event: Pick<PendingEvent, "seq" | "conversation">, now: number): void {
    this.sql.exec("UPDATE events SET state = 'delivered', attempts = attempts + 1, delivered_at = ? WHERE seq = ?", now, event.seq);
    this.refreshHead(event.conversation);
  }

  markFailedAttempt(event: Pick<PendingEvent, "seq" | "conversation">, nextAttemptAt: number, error: string): void {
    this.sql.exec(
      "UPDATE events SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE seq = ?",
      nextAttemptAt,
      error,
      event.seq,
    );
    this.sql.exec("UPDATE heads SET due_at = ? WHERE seq = ?", nextAttemptAt, event.seq);
  }

  /** Drops delivered events past retention (pending ones are never dropped). */
  prune(now: number): void {
    // Keys grow with time, so the oldest events are the first rows: a bounded look at them each time.
    this.sql.exec(
      `DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT ${PRUNE_BATCH}) AND state = 'delivered' AND created_at < ?`,
      now - EVENT_RETENTION_MS,
    );
  }

  state(): EndpointState {
    if (this.cachedState) return this.cachedState;
    const r = this.sql
      .exec<{ state: "enabled" | "disabled"; reason: string | null; disabled_at: number | null; failing_since: number | null }>(
        "SELECT state, reason, disabled_at, failing_since FROM endpoint_state",
      )
      .one();
    this.cachedState = {
      state: r.state,
      ...(r.reason !== null && { reason: r.reason }),
      ...(r.disabled_at !== null && { disabledAt: r.disabled_at }),
      ...(r.failing_since !== null && { failingSince: r.failing_since }),
    };
    return this.cachedState;
  }

  noteSuccess(): void {
    if (this.state().failingSince === undefined) return;
    this.cachedState = undefined;
    this.sql.exec("UPDATE endpoint_state SET failing_since = NULL");
  }

  /** Records a failed delivery; returns since when the endpoint has been failing. */
  noteFailure(now: number): number {
    this.cachedState = undefined;
    this.sql.exec("UPDATE endpoint_state SET failing_since = COALESCE(failing_since, ?)", now);
    return this.state().failingSince ?? now;
  }

  disable(reason: string, now: number): void {
    this.cachedState = undefined;
    this.sql.exec("UPDATE endpoint_state SET state = 'disabled', reason = ?, disabled_at = ?", reason, now);
  }

  /**
   * Enables the endpoint again: pending events fall due now, and with `since`, every event stored since
   * then is delivered again (recovery after the business lost data). Returns the events due.
   */
  enable(now: number, since?: number): number {
    this.cachedState = undefined;
    this.sql.exec("UPDATE endpoint_state SET state = 'enabled', reason = NULL, disabled_at = NULL, failing_since = NULL");
    if (since !== undefined) {
      this.sql.exec("UPDATE events SET state = 'pending', attempts = 0 WHERE state = 'delivered' AND created_at >= ?", since);
    }
    this.sql.exec("UPDATE events SET next_attempt_at = ? WHERE state = 'pending'", now);
    this.rebuildHeads();
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE state = 'pending'").one().n;
  }

  /** Keeps a failed outbound message as a dead letter, until it is replayed. */
  recordDeadMessage(e: InboundEvent, now: number): void {
    if (e.type !== "message.status" || e.status.status !== "failed" || !e.status.messageId) return;
    this.sql.exec(
      `INSERT INTO dead_messages (message_id, conversation, reason, detail, attempts, failed_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (message_id) DO NOTHING`,
      e.status.messageId,
      JSON.stringify(e.conversation),
      e.status.error?.reason ?? "platform_error",
      e.status.error?.detail ?? null,
      e.status.attempts ?? null,
      Date.parse(e.status.timestamp) || now,
    );
  }

  forgetDeadMessage(messageId: string): boolean {
    return this.sql.exec("DELETE FROM dead_messages WHERE message_id = ? RETURNING message_id", messageId).toArray().length > 0;
  }

  /** Failed messages, and — while the endpoint is disabled — every event it could not deliver. */
  deadLetters(limit: number): DeadLetter[] {
    const messages = this.sql
      .exec<{ message_id: string; conversation: string; reason: string; detail: string | null; attempts: number | null; failed_at: number }>(
        "SELECT * FROM dead_messages ORDER BY failed_at LIMIT ?",
        limit,
      )
      .toArray()
      .map((r): DeadLetter => ({
        id: r.message_id,
        kind: "message",
        conversation: JSON.parse(r.conversation) as ConversationAddress,
        reason: r.reason,
        ...(r.detail !== null && { detail: r.detail }),
        attempts: r.attempts ?? 0,
        at: new Date(r.failed_at).toISOString(),
      }));
    const state = this.state();
    if (state.state !== "disabled") return messages;
    const events = this.sql
      .exec<{ id: string; body: string; attempts: number; last_error: string | null; created_at: number }>(
        "SELECT id, body, attempts, last_error, created_at FROM events WHERE state = 'pending' ORDER BY seq LIMIT ?",
        limit,
      )
      .toArray()
      .map((r): DeadLetter => ({
        id: r.id,
        kind: "event",
        conversation: (JSON.parse(r.body) as InboundEvent).conversation,
        reason: `endpoint_disabled: ${state.reason ?? ""}`.trim(),
        ...(r.last_error !== null && { detail: r.last_error }),
        attempts: r.attempts,
        at: new Date(r.created_at).toISOString(),
      }));
    return [...messages, ...events];
  }

  /** Makes one event due again now (a delivered one too); false if unknown. */
  replayEvent(id: string, now: number): boolean {
    const row = this.sql
      .exec<{ conversation: string }>("UPDATE events SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? RETURNING conversation", now, id)
      .toArray()[0];
    if (row) this.refreshHead(row.conversation);
    return row !== undefined;
  }

  /** Events by state (pending, delivered): the pending ones counted on their index, the others as the rest. */
  counts(): Record<string, number> {
    const total = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM events").one().n;
    const pending = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE state = 'pending'").one().n;
    return { ...(pending > 0 && { pending }), ...(total > pending && { delivered: total - pending }) };
  }
}
