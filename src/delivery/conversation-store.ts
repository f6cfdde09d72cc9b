import type {
  ConversationAddress,
  InboundEvent,
  MessageRecord,
  MessageStatus,
  OutboundContent,
  StatusError,
} from "../model";
import { canTransition } from "../model";
import { migrate } from "./migrations";

const MIGRATIONS = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE messages (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     content TEXT NOT NULL,
     reference TEXT,
     status TEXT NOT NULL,
     platform_id TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER,
     last_error TEXT,
     error TEXT,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX messages_platform_id ON messages (platform_id);
   CREATE INDEX messages_queued ON messages (status, seq);
   CREATE TABLE history (message_id TEXT NOT NULL, status TEXT NOT NULL, at INTEGER NOT NULL, error TEXT);
   CREATE INDEX history_message ON history (message_id);
   CREATE TABLE early_statuses (platform_id TEXT NOT NULL, status TEXT NOT NULL, at INTEGER NOT NULL, error TEXT);
   CREATE INDEX early_statuses_platform_id ON early_statuses (platform_id);
   CREATE TABLE event_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, event TEXT NOT NULL);`,
  // A message may go out as several platform messages (a long text split): each part has its own id.
  `ALTER TABLE messages ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE messages ADD COLUMN sent_at INTEGER;
   CREATE TABLE platform_ids (platform_id TEXT PRIMARY KEY, message_id TEXT NOT NULL);
   INSERT OR IGNORE INTO platform_ids SELECT platform_id, id FROM messages WHERE platform_id IS NOT NULL;
   CREATE INDEX messages_sent_at ON messages (sent_at);`,
  // A replayed dead letter starts a new delivery window.
  `ALTER TABLE messages ADD COLUMN queued_at INTEGER;`,
  // Attempts that ended in an error of the relay's own code, or of the business's media server: a few
  // fail the message, never the queue.
  `ALTER TABLE messages ADD COLUMN internal_errors INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE messages ADD COLUMN media_errors INTEGER NOT NULL DEFAULT 0;`,
];

/** How long a status for a message not (yet) known here is kept. */
const EARLY_STATUS_TTL_MS = 24 * 3600_000;

interface MessageRow extends Record<string, SqlStorageValue> {
  seq: number;
  id: string;
  content: string;
  reference: string | null;
  status: MessageStatus;
  platform_id: string | null;
  attempts: number;
  next_attempt_at: number | null;
  error: string | null;
  created_at: number;
  parts_sent: number;
  queued_at: number | null;
  internal_errors: number;
  media_errors: number;
}

/** A queued message due for sending. */
export interface PendingMessage {
  id: string;
  content: OutboundContent;
  reference?: string;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  /** When it entered the outbox last (acceptance, or a replay): the maximum age counts from here. */
  queuedAt: number;
  /** Parts of a split message the platform has accepted already. */
  partsSent: number;
  /** Attempts that failed in the relay's own code. */
  internalErrors: number;
  /** Attempts that failed at the business's media server. */
  mediaErrors: number;
}

/** The outcome of recording a status: whether the message moved, and the record's relay id. */
export interface StatusUpdate {
  messageId?: string;
  reference?: string;
  moved: boolean;
  /** The status was recorded before (a platform's redelivery): its event was staged then. */
  seen: boolean;
}

/**
 * The storage of one conversation: its outbound messages in acceptance order (a FIFO outbox), each
 * message's status history, and the events waiting to be handed to the tenant's endpoint.
 * Every method is synchronous SQLite, so each is atomic within the Durable Object.
 */
export class ConversationStore {
  constructor(private readonly sql: SqlStorage) {
    migrate(sql, MIGRATIONS);
  }

  get address(): ConversationAddress | undefined {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'address'").toArray()[0];
    return row ? (JSON.parse(row.value) as ConversationAddress) : undefined;
  }

  setAddress(address: ConversationAddress): void {
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('address', ?)", JSON.stringify(address));
  }

  /** Appends a message to the outbox. Returns false if a message with this id exists already. */
  enqueue(id: string, content: OutboundContent, reference: string | undefined, now: number): boolean {
    const inserted = this.sql
      .exec(
        `INSERT INTO messages (id, content, reference, status, next_attempt_at, created_at)
         VALUES (?, ?, ?, 'queued', ?, ?) ON CONFLICT (id) DO NOTHING RETURNING seq`,
        id,
        JSON.stringify(content),
        reference ?? null,
        now,
        now,
      )
      .toArray().length > 0;
    if (inserted) this.addHistory(id, "queued", now);
    return inserted;
  }

  /** The oldest message not yet fully handed to the platform: it must go before any other. */
  head(): PendingMessage | undefined {
    const row = this.sql
      .exec<MessageRow>("SELECT * FROM messages WHERE next_attempt_at IS NOT NULL ORDER BY seq LIMIT 1")
      .toArray()[0];
    if (!row) return undefined;
    return {
      id: row.id,
      content: JSON.parse(row.content) as OutboundContent,
      ...(row.reference !== null && { reference: row.reference }),
      attempts: row.attempts,
      nextAttemptAt: row.next_attempt_at ?? row.created_at,
      createdAt: row.created_at,
      queuedAt: row.queued_at ?? row.created_at,
      partsSent: row.parts_sent,
      internalErrors: row.internal_errors,
      mediaErrors: row.media_errors,
    };
  }

  /**
   * Puts a failed message back in the outbox (a dead-letter replay) with a new delivery window; it keeps
   * its place in acceptance order. Parts the platform already accepted are not sent again.
   */
  requeue(id: string, now: number): boolean {
    const requeued = this.sql
      .exec(
        `UPDATE messages SET status = 'queued', error = NULL, attempts = 0, next_attempt_at = ?, queued_at = ?
         WHERE id = ? AND status = 'failed' RETURNING id`,
        now,
        now,
        id,
      )
      .toArray().length > 0;
    if (requeued) this.addHistory(id, "queued", now);
    return requeued;
  }

  /**
   * Records a failed attempt: the message stays at the head until `nextAttemptAt`. `counted` names the
   * bounded kind it was (the relay's own error, the business's media server), if any.
   */
  deferHead(id: string, nextAttemptAt: number, detail: string, counted?: "internal" | "media"): void {
    this.sql.exec(
      `UPDATE messages SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
         internal_errors = internal_errors + ?, media_errors = media_errors + ? WHERE id = ?`,
      nextAttemptAt,
      detail,
      counted === "internal" ? 1 : 0,
      counted === "media" ? 1 : 0,
      id,
    );
  }

  /**
   * The platform accepted part `part` of the message. After the last part the message is `sent` and
   * leaves the outbox. Statuses that raced ahead of the platform's answer apply now.
   */
  markPartSent(id: string, platformId: string, part: number, last: boolean, now: number): void {
    this.sql.exec(
      `UPDATE messages SET attempts = attempts + 1, parts_sent = ?, platform_id = COALESCE(platform_id, ?),
         sent_at = COALESCE(sent_at, ?), next_attempt_at = ? WHERE id = ?`,
      part + 1,
      platformId,
      now,
      last ? null : now,
      id,
    );
    this.sql.exec("INSERT OR IGNORE INTO platform_ids (platform_id, message_id) VALUES (?, ?)", platformId, id);
    if (last) this.transition(id, "sent", now);
    const early = this.sql
      .exec<{ status: MessageStatus; at: number; error: string | null }>(
        "SELECT status, at, error FROM early_statuses WHERE platform_id = ? ORDER BY rowid",
        platformId,
      )
      .toArray();
    for (const e of early) this.applyPlatformStatus(platformId, e.status, e.at, e.error ? (JSON.parse(e.error) as StatusError) : undefined);
    if (early.length > 0) this.sql.exec("DELETE FROM early_statuses WHERE platform_id = ?", platformId);
  }

  /** The relay id of the message the platform knows by `platformId`. */
  messageIdFor(platformId: string): string | undefined {
    return this.sql
      .exec<{ message_id: string }>("SELECT message_id FROM platform_ids WHERE platform_id = ?", platformId)
      .toArray()[0]?.message_id;
  }

  /** The message cannot be delivered: failed is terminal. */
  markFailed(id: string, error: StatusError, now: number, countAttempt: boolean): void {
    this.sql.exec(
      `UPDATE messages SET attempts = attempts + ?, next_attempt_at = NULL, error = ? WHERE id = ?`,
      countAttempt ? 1 : 0,
      JSON.stringify(error),
      id,
    );
    this.transition(id, "failed", now, error);
  }

  /** Applies a platform status to the message it names, if it moves the message forward. */
  applyPlatformStatus(platformId: string, status: MessageStatus, at: number, error?: StatusError): StatusUpdate {
    const row = this.sql
      .exec<{ id: string; reference: string | null }>(
        "SELECT m.id, m.reference FROM platform_ids p JOIN messages m ON m.id = p.message_id WHERE p.platform_id = ?",
        platformId,
      )
      .toArray()[0];
    if (!row) {
      const seen = this.sql.exec("SELECT 1 FROM early_statuses WHERE platform_id = ? AND status = ? LIMIT 1", platformId, status).toArray().length > 0;
      if (seen) return { moved: false, seen };
      // A status can overtake the platform's answer to the send; keep it (a day) for when the id is known.
      this.sql.exec("DELETE FROM early_statuses WHERE at < ?", at - EARLY_STATUS_TTL_MS);
      this.sql.exec(
        "INSERT INTO early_statuses (platform_id, status, at, error) VALUES (?, ?, ?, ?)",
        platformId,
        status,
        at,
        error ? JSON.stringify(error) : null,
      );
      return { moved: false, seen: false };
    }
    const seen = this.sql.exec("SELECT 1 FROM history WHERE message_id = ? AND status = ? LIMIT 1", row.id, status).toArray().length > 0;
    if (error && status === "failed") {
      this.sql.exec("UPDATE messages SET error = ? WHERE id = ? AND status NOT IN ('failed', 'delivered', 'read')", JSON.stringify(error), row.id);
    }
    const moved = this.transition(row.id, status, at, error);
    return { messageId: row.id, moved, seen, ...(row.reference !== null && { reference: row.reference }) };
  }

  /**
   * Applies a watermark status: every message sent up to `watermark` (epoch ms) reaches `status`, where
   * that moves it forward. Returns the messages that moved.
   * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-reads
   */
  applyWatermark(status: MessageStatus, watermark: number, at: number): { messageId: string; reference?: string; platformId?: string }[] {
    const rows = this.sql
      .exec<{ id: string; reference: string | null; platform_id: string | null }>(
        "SELECT id, reference, platform_id FROM messages WHERE sent_at IS NOT NULL AND sent_at <= ? ORDER BY seq",
        watermark,
      )
      .toArray();
    return rows
      .filter((r) => this.transition(r.id, status, at))
      .map((r) => ({
        messageId: r.id,
        ...(r.reference !== null && { reference: r.reference }),
        ...(r.platform_id !== null && { platformId: r.platform_id }),
      }));
  }

  /** Moves a message to `status` when the state machine allows it, and records the step. */
  private transition(id: string, status: MessageStatus, at: number, error?: StatusError): boolean {
    const current = this.sql.exec<{ status: MessageStatus }>("SELECT status FROM messages WHERE id = ?", id).toArray()[0];
    if (!current || !canTransition(current.status, status)) return false;
    this.sql.exec("UPDATE messages SET status = ? WHERE id = ?", status, id);
    this.addHistory(id, status, at, error);
    return true;
  }

  private addHistory(id: string, status: MessageStatus, at: number, error?: StatusError): void {
    this.sql.exec(
      "INSERT INTO history (message_id, status, at, error) VALUES (?, ?, ?, ?)",
      id,
      status,
      at,
      error ? JSON.stringify(error) : null,
    );
  }

  /** The full record of a message, for `GET /v1/messages/{id}`. */
  record(id: string): MessageRecord | undefined {
    const address = this.address;
    const row = this.sql.exec<MessageRow>("SELECT * FROM messages WHERE id = ?", id).toArray()[0];
    if (!row || !address) return undefined;
    const history = this.sql
      .exec<{ status: MessageStatus; at: number; error: string | null }>(
        "SELECT status, at, error FROM history WHERE message_id = ? ORDER BY rowid",
        id,
      )
      .toArray()
      .map((h) => ({
        status: h.status,
        at: new Date(h.at).toISOString(),
        ...(h.error !== null && { error: JSON.parse(h.error) as StatusError }),
      }));
    return {
      id: row.id,
      conversation: address,
      content: JSON.parse(row.content) as OutboundContent,
      ...(row.reference !== null && { reference: row.reference }),
      status: row.status,
      ...(row.platform_id !== null && { platformMessageId: row.platform_id }),
      attempts: row.attempts,
      ...(row.error !== null && { error: JSON.parse(row.error) as StatusError }),
      createdAt: new Date(row.created_at).toISOString(),
      history,
    };
  }

  /** Stages an event for the tenant's endpoint (in the same transaction as the change it reports). */
  stageEvent(event: InboundEvent): void {
    this.sql.exec("INSERT OR IGNORE INTO event_outbox (id, event) VALUES (?, ?)", event.id, JSON.stringify(event));
  }

  stagedEvents(limit = 100): { seq: number; event: InboundEvent }[] {
    return this.sql
      .exec<{ seq: number; event: string }>("SELECT seq, event FROM event_outbox ORDER BY seq LIMIT ?", limit)
      .toArray()
      .map((r) => ({ seq: r.seq, event: JSON.parse(r.event) as InboundEvent }));
  }

  /** Forgets staged events up to `seq`, once the endpoint stored them. */
  unstageEvents(throughSeq: number): void {
    this.sql.exec("DELETE FROM event_outbox WHERE seq <= ?", throughSeq);
  }
}
