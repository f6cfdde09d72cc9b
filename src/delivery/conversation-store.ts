import type {
  ConversationAddress,
  MessageRecord,
  MessageStatus,
  OutboundContent,
  StatusError,
} from "../model";
import { canTransition, MessageStatus as MessageStatusSchema } from "../model";
import { CONVERSATION_MIGRATIONS, type DueHead, type MessageRow, type PendingMessage, pendingMessageOf, type QueuedMessage } from "./conversation-tables";
import { migrate } from "./migrations";
import { StagedEvents } from "./staged-events";

/** Every status, for the transitions allowed into one. */
const MESSAGE_STATUSES = MessageStatusSchema.options;

/** How long a status for a message not (yet) known here is kept. */
const EARLY_STATUS_TTL_MS = 24 * 3600_000;

/** The shard's tenant and account: every conversation in it shares them. */
export interface ShardOwner {
  tenant: string;
  account: string;
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
 * The storage of one outbox shard: the conversations of one account that hash to it, each a FIFO of
 * outbound messages in acceptance order, each message's status history, and the events waiting to be
 * handed to the tenant's endpoints. Every method is synchronous SQLite, so each is atomic within the
 * Durable Object.
 */
export class ConversationStore {
  /** `clock` stamps when each status step was recorded (the relay's time, whatever the platform's). */
  constructor(
    private readonly sql: SqlStorage,
    private readonly clock: () => number = Date.now,
  ) {
    migrate(sql, CONVERSATION_MIGRATIONS);
    this.staged = new StagedEvents(sql);
  }

  /** The events waiting to be handed to the tenant's endpoints. */
  readonly staged: StagedEvents;

  /** The shard's owner once known: it never changes (the shard is named after its account). */
  private knownOwner: ShardOwner | undefined;

  get owner(): ShardOwner | undefined {
    if (this.knownOwner) return this.knownOwner;
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'owner'").toArray()[0];
    this.knownOwner = row ? (JSON.parse(row.value) as ShardOwner) : undefined;
    return this.knownOwner;
  }

  /** The conversation with `peer`, if it ever had a message here. */
  conversation(peer: string): ConversationAddress | undefined {
    const row = this.sql.exec<{ address: string }>("SELECT address FROM conversations WHERE peer = ?", peer).toArray()[0];
    return row ? (JSON.parse(row.address) as ConversationAddress) : undefined;
  }

  /** Records conversations (their addresses, and the shard's owner on the first one). */
  addConversations(addresses: readonly ConversationAddress[], now = Date.now()): void {
    const first = addresses[0];
    if (!first) return;
    this.learnOwner(first);
    for (const address of addresses) {
      this.sql.exec(
        "INSERT OR IGNORE INTO conversations (peer, address, created_at, updated_at) VALUES (?, ?, ?, ?)",
        address.peer,
        JSON.stringify(address),
        now,
        now,
      );
    }
  }

  /** Forgets what was read from storage and kept: a transaction that read it was rolled back. */
  forgetCached(): void {
    this.knownOwner = undefined;
    this.staged.forgetUncommitted();
  }

  /** Records the shard's owner from one of its conversations, unless it is known already. */
  learnOwner(address: ConversationAddress): void {
    if (this.owner) return;
    this.sql.exec(
      "INSERT OR IGNORE INTO meta (key, value) VALUES ('owner', ?)",
      JSON.stringify({ tenant: address.tenant, account: address.account } satisfies ShardOwner),
    );
  }

  /** The platform's id of a message of this shard (its first part's), once the platform accepted it. */
  platformIdOf(messageId: string): string | undefined {
    return this.sql.exec<{ platform_id: string | null }>("SELECT platform_id FROM messages WHERE id = ?", messageId).toArray()[0]?.platform_id ?? undefined;
  }

  /** Makes every conversation's first message due by `now` (the account was resumed: what waited goes at once). */
  allDueBy(now: number): void {
    this.sql.exec("UPDATE messages SET next_attempt_at = ? WHERE next_attempt_at > ? AND seq IN (SELECT seq FROM heads)", now, now);
    this.sql.exec("UPDATE heads SET due_at = ? WHERE due_at > ?", now, now);
  }

  /** Appends messages to their conversations, in the order given; ids seen before are ignored. Returns how many were new. */
  enqueue(messages: readonly QueuedMessage[], now: number): number {
    let added = 0;
    this.addConversations(messages.map((m) => m.address), now);
    for (const m of messages) {
      const inserted = this.sql
        .exec<{ seq: number }>(
          `INSERT INTO messages (id, peer, content, reference, bulk, reply_to, tag, status, next_attempt_at, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?) ON CONFLICT (id) DO NOTHING RETURNING seq`,
          m.id,
          m.address.peer,
          JSON.stringify(m.content),
          m.reference ?? null,
          m.bulk ? 1 : 0,
          m.replyTo ?? null,
          m.tag ?? null,
          now,
          now,
        )
        .toArray()[0];
      if (!inserted) continue;
      added++;
      // Its first step, queued at created_at, is read from the message itself: one write less per message.
      // A conversation with a head keeps it: the new message goes behind.
      this.sql.exec(
        `INSERT INTO heads (peer, seq, bulk, due_at) SELECT ?, ?, ?, MAX(?, COALESCE(next_send_at, 0)) FROM conversations WHERE peer = ?
         ON CONFLICT (peer) DO NOTHING`,
        m.address.peer,
        inserted.seq,
        m.bulk ? 1 : 0,
        now,
        m.address.peer,
      );
    }
    return added;
  }

  /**
   * Heads of conversations due by `now`, one-to-one messages before bulk ones, each in acceptance order;
   * at most `limit`, skipping the conversations in `busy` (a message of theirs is being sent).
   */
  due(now: number, limit: number, busy: ReadonlySet<string> = new Set()): PendingMessage[] {
    return this.dueHeads(now, limit, busy).flatMap((h) => this.pendingMessage(h.seq) ?? []);
  }

  /** The keys of the heads `due` would answer: cheap to read often (a send reads its message alone). */
  dueHeads(now: number, limit: number, busy: ReadonlySet<string> = new Set()): DueHead[] {
    return this.sql
      .exec<{ peer: string; seq: number; bulk: number }>(
        "SELECT peer, seq, bulk FROM heads INDEXED BY heads_order WHERE due_at <= ? ORDER BY bulk, seq LIMIT ?",
        now,
        limit + busy.size,
      )
      .toArray()
      .filter((h) => !busy.has(h.peer))
      .slice(0, limit);
  }

  /** A message still waiting to be sent, by its key. */
  pendingMessage(seq: number): PendingMessage | undefined {
    const row = this.sql
      .exec<MessageRow & { address: string }>(
        "SELECT m.*, c.address FROM messages m JOIN conversations c ON c.peer = m.peer WHERE m.seq = ? AND m.next_attempt_at IS NOT NULL",
        seq,
      )
      .toArray()[0];
    return row ? pendingMessageOf(row) : undefined;
  }


  /** When the next conversation falls due, if any has a message waiting. */
  nextDue(): number | undefined {
    return this.sql.exec<{ t: number | null }>("SELECT MIN(due_at) AS t FROM heads").one().t ?? undefined;
  }

  /** Sets a conversation's head to its first unsent message (none: it leaves `heads`). */
  private refreshHead(peer: string): void {
    this.sql.exec("DELETE FROM heads WHERE peer = ?", peer);
    this.sql.exec(
      `INSERT INTO heads (peer, seq, bulk, due_at)
       SELECT m.peer, m.seq, m.bulk, MAX(m.next_attempt_at, COALESCE(c.next_send_at, 0)) FROM messages m JOIN conversations c ON c.peer = m.peer
       WHERE m.peer = ? AND m.next_attempt_at IS NOT NULL ORDER BY m.seq LIMIT 1`,
      peer,
    );
  }

  /**
   * Puts a failed message back in the outbox (a dead-letter replay) with a new delivery window; it keeps
   * its place in acceptance order. Parts the platform already accepted are not sent again.
   */
  requeue(id: string, now: number): boolean {
    const row = this.sql
      .exec<{ peer: string; seq: number }>(
        `UPDATE messages SET status = 'queued', error = NULL, attempts = 0, next_attempt_at = ?, queued_at = ?
         WHERE id = ? AND status = 'failed' RETURNING peer, seq`,
        now,
        now,
        id,
      )
      .toArray()[0];
    if (!row) return false;
    this.addHistory(row.seq, id, "queued", now);
    this.refreshHead(row.peer);
    return true;
  }

  /**
   * Records a failed attempt: the message stays at the head of its conversation until `nextAttemptAt`.
   * `counted` names the bounded kind it was (the relay's own error, the business's media server), if any.
   */
  deferHead(head: Pick<PendingMessage, "seq" | "address">, nextAttemptAt: number, detail: string, counted?: "internal" | "media"): void {
    this.sql.exec(
      `UPDATE messages SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
         internal_errors = internal_errors + ?, media_errors = media_errors + ? WHERE seq = ?`,
      nextAttemptAt,
      detail,
      counted === "internal" ? 1 : 0,
      counted === "media" ? 1 : 0,
      head.seq,
    );
    this.refreshHead(head.address.peer);
  }

  /**
   * The platform accepted part `part` of the message. After the last part the message is `sent` and
   * leaves the outbox. The conversation sends nothing more before `nextSendAt` (the platform's limit per
   * customer). Statuses that raced ahead of the platform's answer apply now.
   */
  markPartSent(head: Pick<PendingMessage, "seq" | "id" | "address">, platformId: string, part: number, last: boolean, now: number, nextSendAt = now): void {
    const { id } = head;
    this.sql.exec(
      `UPDATE messages SET attempts = attempts + 1, parts_sent = ?, platform_id = COALESCE(platform_id, ?),
         sent_at = COALESCE(sent_at, ?), next_attempt_at = ? WHERE seq = ?`,
      part + 1,
      platformId,
      now,
      last ? null : now,
      head.seq,
    );
    this.sql.exec(
      "UPDATE conversations SET next_send_at = ?, last_outbound_at = ?, updated_at = ? WHERE peer = ?",
      nextSendAt > now ? nextSendAt : null,
      now,
      now,
      head.address.peer,
    );
    this.refreshHead(head.address.peer);
    this.sql.exec("INSERT OR IGNORE INTO platform_ids (platform_id, message_id) VALUES (?, ?)", platformId, id);
    if (last) this.transition(head.seq, id, "sent", now);
    const early = this.sql
      .exec<{ status: MessageStatus; at: number; error: string | null }>(
        "SELECT status, at, error FROM early_statuses WHERE platform_id = ? ORDER BY rowid",
        platformId,
      )
      .toArray();
    for (const e of early) this.applyPlatformStatus(platformId, e.status, e.at, e.error ? (JSON.parse(e.error) as StatusError) : undefined);
    if (early.length > 0) this.sql.exec("DELETE FROM early_statuses WHERE platform_id = ?", platformId);
  }

  /** The message cannot be delivered: failed is terminal, and the conversation moves on. */
  markFailed(head: Pick<PendingMessage, "seq" | "id" | "address">, error: StatusError, now: number, countAttempt: boolean): void {
    this.sql.exec(
      `UPDATE messages SET attempts = attempts + ?, next_attempt_at = NULL, error = ? WHERE seq = ?`,
      countAttempt ? 1 : 0,
      JSON.stringify(error),
      head.seq,
    );
    this.refreshHead(head.address.peer);
    this.transition(head.seq, head.id, "failed", now, error);
  }

  /** Applies a platform status to the message it names, if it moves the message forward. */
  applyPlatformStatus(platformId: string, status: MessageStatus, at: number, error?: StatusError): StatusUpdate {
    const row = this.sql
      .exec<{ seq: number; id: string; reference: string | null }>(
        "SELECT m.seq, m.id, m.reference FROM platform_ids p JOIN messages m ON m.id = p.message_id WHERE p.platform_id = ?",
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
    const seen = this.sql.exec("SELECT 1 FROM history WHERE seq = ? AND status = ? LIMIT 1", row.seq, status).toArray().length > 0;
    if (error && status === "failed") {
      this.sql.exec("UPDATE messages SET error = ? WHERE id = ? AND status NOT IN ('failed', 'delivered', 'read')", JSON.stringify(error), row.id);
    }
    const moved = this.transition(row.seq, row.id, status, at, error);
    return { messageId: row.id, moved, seen, ...(row.reference !== null && { reference: row.reference }) };
  }

  /**
   * Applies a watermark status: every message sent up to `watermark` (epoch ms) reaches `status`, where
   * that moves it forward. Returns the messages that moved.
   * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-reads
   */
  applyWatermark(peer: string, status: MessageStatus, watermark: number, at: number): { messageId: string; reference?: string; platformId?: string }[] {
    const rows = this.sql
      .exec<{ seq: number; id: string; reference: string | null; platform_id: string | null }>(
        "SELECT seq, id, reference, platform_id FROM messages WHERE peer = ? AND sent_at IS NOT NULL AND sent_at <= ? ORDER BY seq",
        peer,
        watermark,
      )
      .toArray();
    return rows
      .filter((r) => this.transition(r.seq, r.id, status, at))
      .map((r) => ({
        messageId: r.id,
        ...(r.reference !== null && { reference: r.reference }),
        ...(r.platform_id !== null && { platformId: r.platform_id }),
      }));
  }

  /** Moves a message to `status` when the state machine allows it, and records the step. */
  private transition(seq: number, id: string, status: MessageStatus, at: number, error?: StatusError): boolean {
    const from = MESSAGE_STATUSES.filter((s) => canTransition(s, status));
    const moved = this.sql
      .exec(`UPDATE messages SET status = ? WHERE seq = ? AND status IN (${from.map(() => "?").join(", ")}) RETURNING seq`, status, seq, ...from)
      .toArray().length > 0;
    if (moved) this.addHistory(seq, id, status, at, error);
    return moved;
  }

  private addHistory(seq: number, id: string, status: MessageStatus, at: number, error?: StatusError): void {
    this.sql.exec(
      "INSERT INTO history (seq, message_id, status, at, error, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
      seq,
      id,
      status,
      at,
      error ? JSON.stringify(error) : null,
      this.clock(),
    );
  }

  /** The full record of a message, for `GET /v1/messages/{id}`. */
  record(id: string): MessageRecord | undefined {
    const row = this.sql
      .exec<MessageRow & { address: string }>("SELECT m.*, c.address FROM messages m JOIN conversations c ON c.peer = m.peer WHERE m.id = ?", id)
      .toArray()[0];
    if (!row) return undefined;
    const steps = this.sql
      .exec<{ status: MessageStatus; at: number; error: string | null }>("SELECT status, at, error FROM history WHERE seq = ? ORDER BY rowid", row.seq)
      .toArray();
    // Acceptance is the message's own created_at (messages stored before kept it as a history row too).
    if (steps[0]?.status === "queued" && steps[0].at === row.created_at) steps.shift();
    const history = [{ status: "queued" as const, at: row.created_at, error: null }, ...steps].map((h) => ({
      status: h.status,
      at: new Date(h.at).toISOString(),
      ...(h.error !== null && { error: JSON.parse(h.error) as StatusError }),
    }));
    return {
      id: row.id,
      conversation: JSON.parse(row.address) as ConversationAddress,
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
}
