import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { conversationKey, type ConversationAddress, type OutboundContent, type SendAccepted } from "../model";
import { migrate } from "./migrations";

/** Keys are honoured for at least 24 hours; records are dropped after this long. */
export const IDEMPOTENCY_RETENTION_MS = 48 * 3600_000;

const MIGRATIONS = [
  `CREATE TABLE record (
     fingerprint TEXT NOT NULL,
     message_id TEXT NOT NULL,
     response TEXT,
     created_at INTEGER NOT NULL
   );`,
];

/** A send as the API validated it, ready to queue. */
export interface SendToQueue {
  fingerprint: string;
  candidateId: string;
  address: ConversationAddress;
  content: OutboundContent;
  reference?: string;
}

export type IdempotentOutcome = { kind: "accepted"; response: SendAccepted; replayed: boolean } | { kind: "mismatch" };

/**
 * One `Idempotency-Key` of one tenant. The first request with the key fixes its body's fingerprint and
 * its message id before the message is queued, so that a retry — even one racing the first, or one after
 * a crash between the two steps — queues the same message (the conversation ignores a known id) and
 * answers the same; a different body under the same key is refused.
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/
 */
export class IdempotencyRecord extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage.sql, MIGRATIONS);
  }

  async accept(send: SendToQueue): Promise<IdempotentOutcome> {
    const sql = this.ctx.storage.sql;
    let row = sql
      .exec<{ fingerprint: string; message_id: string; response: string | null }>("SELECT fingerprint, message_id, response FROM record")
      .toArray()[0];
    if (row && row.fingerprint !== send.fingerprint) return { kind: "mismatch" };
    if (row?.response) return { kind: "accepted", response: JSON.parse(row.response) as SendAccepted, replayed: true };
    if (!row) {
      const now = Date.now();
      sql.exec("INSERT INTO record (fingerprint, message_id, created_at) VALUES (?, ?, ?)", send.fingerprint, send.candidateId, now);
      await this.ctx.storage.setAlarm(now + IDEMPOTENCY_RETENTION_MS);
      row = { fingerprint: send.fingerprint, message_id: send.candidateId, response: null };
    }
    const id = row.message_id;
    const conversations = this.env.CONVERSATIONS;
    await conversations.get(conversations.idFromName(conversationKey(send.address))).enqueue(send.address, id, send.content, send.reference);
    const response: SendAccepted = { id, status: "queued", conversation: send.address };
    sql.exec("UPDATE record SET response = ?", JSON.stringify(response));
    return { kind: "accepted", response, replayed: false };
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
