import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { queueMessages } from "./conversation-shards";
import type { QueuedMessage } from "./conversation-tables";
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
  // A request may queue many messages (a batch): the plan is fixed by the first request, one row each.
  `ALTER TABLE record ADD COLUMN planned_response TEXT;
   CREATE TABLE planned (seq INTEGER PRIMARY KEY, message TEXT NOT NULL);`,
];

/** What a request queues and answers, computed by the first request that carries the key. */
export interface IdempotentPlan {
  messages: QueuedMessage[];
  /** The answer's body, JSON. */
  response: string;
}

export type IdempotentOutcome = { kind: "accepted"; response: string; replayed: boolean } | { kind: "mismatch" };

/**
 * One `Idempotency-Key` of one tenant. The first request with the key fixes its body's fingerprint, its
 * messages (with their ids) and its answer before anything is queued, so that a retry — even one racing
 * the first, or one after a crash between the two steps — queues the same messages (a conversation
 * ignores a known id) and answers the same; a different body under the same key is refused.
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/
 */
export class IdempotencyRecord extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage.sql, MIGRATIONS);
  }

  async accept(fingerprint: string, plan: IdempotentPlan): Promise<IdempotentOutcome> {
    const sql = this.ctx.storage.sql;
    const row = sql
      .exec<{ fingerprint: string; message_id: string; response: string | null; planned_response: string | null }>(
        "SELECT fingerprint, message_id, response, planned_response FROM record",
      )
      .toArray()[0];
    if (row && row.fingerprint !== fingerprint) return { kind: "mismatch" };
    if (row?.response) return { kind: "accepted", response: row.response, replayed: true };
    let fixed: IdempotentPlan;
    if (!row) {
      const now = Date.now();
      this.ctx.storage.transactionSync(() => {
        sql.exec("INSERT INTO record (fingerprint, message_id, planned_response, created_at) VALUES (?, '', ?, ?)", fingerprint, plan.response, now);
        for (const m of plan.messages) sql.exec("INSERT INTO planned (message) VALUES (?)", JSON.stringify(m));
      });
      await this.ctx.storage.setAlarm(now + IDEMPOTENCY_RETENTION_MS);
      fixed = plan;
    } else if (row.planned_response === null) {
      // A record from before plans were kept: one message, whose id it fixed.
      const only = plan.messages[0]!;
      fixed = { messages: [{ ...only, id: row.message_id }], response: plan.response.replaceAll(only.id, row.message_id) };
    } else {
      const messages = sql.exec<{ message: string }>("SELECT message FROM planned ORDER BY seq").toArray();
      fixed = { messages: messages.map((m) => JSON.parse(m.message) as QueuedMessage), response: row.planned_response };
    }
    await queueMessages(this.env, fixed.messages);
    sql.exec("UPDATE record SET response = ?", fixed.response);
    return { kind: "accepted", response: fixed.response, replayed: false };
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
