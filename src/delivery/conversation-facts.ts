import type { ConversationAddress, Customer, Identity } from "../model";
import type { WindowFacts } from "../channels/window";

/** Something a customer did that the messaging window and the conversation's view depend on. */
export interface CustomerNote {
  address: ConversationAddress;
  /** By the platform's clock, epoch milliseconds. */
  at: number;
  /** `inbound`: wrote or interacted; `subscribed` / `unsubscribed`: opted in or out of the account; `closed`: closed the conversation. */
  kind: "inbound" | "subscribed" | "unsubscribed" | "closed";
  customer?: Customer;
}

/** A conversation's row as stored, times in epoch milliseconds. */
export interface ConversationFactsRow {
  address: ConversationAddress;
  customer?: Customer;
  createdAt?: number;
  updatedAt: number;
  lastInboundAt?: number;
  lastOutboundAt?: number;
  subscribed?: boolean;
  closedAt?: number;
}

interface Row extends Record<string, SqlStorageValue> {
  peer: string;
  address: string;
  customer: string | null;
  created_at: number | null;
  updated_at: number;
  last_inbound_at: number | null;
  last_outbound_at: number | null;
  subscribed: number | null;
  closed_at: number | null;
}

const COLUMNS = "peer, address, customer, created_at, updated_at, last_inbound_at, last_outbound_at, subscribed, closed_at";

function rowOf(r: Row): ConversationFactsRow {
  return {
    address: JSON.parse(r.address) as ConversationAddress,
    ...(r.customer !== null && { customer: JSON.parse(r.customer) as Customer }),
    ...(r.created_at !== null && { createdAt: r.created_at }),
    updatedAt: r.updated_at,
    ...(r.last_inbound_at !== null && { lastInboundAt: r.last_inbound_at }),
    ...(r.last_outbound_at !== null && { lastOutboundAt: r.last_outbound_at }),
    ...(r.subscribed !== null && { subscribed: r.subscribed === 1 }),
    ...(r.closed_at !== null && { closedAt: r.closed_at }),
  };
}

/** The window's inputs from a stored row. */
export function windowFactsOf(row: ConversationFactsRow | undefined): WindowFacts {
  if (!row) return {};
  return {
    ...(row.lastInboundAt !== undefined && { lastInboundAt: row.lastInboundAt }),
    ...(row.subscribed !== undefined && { subscribed: row.subscribed }),
    ...(row.closedAt !== undefined && { closedAt: row.closedAt }),
  };
}

const identityKey = (i: Identity) => `${i.kind}:${i.value}`;

/**
 * One customer's description merged with a newer one: the newer names win, identities add up (a
 * customer keeps every id a platform ever gave for them).
 */
export function mergeCustomer(old: Customer | undefined, next: Customer): Customer {
  if (!old) return next;
  const identities = new Map<string, Identity>();
  for (const i of [...(old.identities ?? []), ...(next.identities ?? [])]) identities.set(identityKey(i), i);
  const merged: Customer = { ...old, ...next, id: old.id };
  if (identities.size > 0) merged.identities = [...identities.values()];
  return merged;
}

/** A page of conversations: those updated since a time, after a cursor, in order of update. */
export interface ConversationQuery {
  updatedSince?: number;
  /** The last row of the previous page. */
  after?: { updatedAt: number; peer: string };
  peer?: string;
  limit: number;
}

/**
 * What a conversation outbox shard knows of its customers: when each last wrote and was written to,
 * whether they opted out or closed the conversation, every identity they came with, and which other
 * identities (a WhatsApp business-scoped id) lead to which conversation. Synchronous SQLite over the
 * shard's storage (tables in `conversation-tables.ts`).
 */
export class ConversationFacts {
  constructor(private readonly sql: SqlStorage) {}

  /** Records what customers did (a note older than what is known moves nothing back). */
  note(notes: readonly CustomerNote[], now: number): void {
    for (const n of notes) {
      const { peer } = n.address;
      // The conversation's row is written here if it is new; what it knew of the customer is merged.
      const row = this.sql.exec<{ customer: string | null }>("SELECT customer FROM conversations WHERE peer = ?", peer).toArray()[0];
      if (!row) {
        this.sql.exec("INSERT INTO conversations (peer, address, created_at, updated_at) VALUES (?, ?, ?, ?)", peer, JSON.stringify(n.address), now, now);
      }
      const known = row?.customer ?? null;
      const customer = n.customer ? JSON.stringify(mergeCustomer(known ? (JSON.parse(known) as Customer) : undefined, n.customer)) : known;
      const set =
        n.kind === "inbound"
          ? // Writing again after opting out subscribes again (Viber, Telegram): the platform let the message through.
            "last_inbound_at = MAX(COALESCE(last_inbound_at, 0), ?1), subscribed = CASE WHEN subscribed = 0 AND closed_at < ?1 THEN NULL ELSE subscribed END"
          : n.kind === "subscribed"
            ? "subscribed = 1, last_inbound_at = MAX(COALESCE(last_inbound_at, 0), ?1)"
            : n.kind === "unsubscribed"
              ? "subscribed = 0, closed_at = MAX(COALESCE(closed_at, 0), ?1)"
              : "closed_at = MAX(COALESCE(closed_at, 0), ?1)";
      this.sql.exec(`UPDATE conversations SET ${set}, customer = ?2, updated_at = ?3 WHERE peer = ?4`, n.at, customer, now, peer);
    }
  }

  one(peer: string): ConversationFactsRow | undefined {
    const row = this.sql.exec<Row>(`SELECT ${COLUMNS} FROM conversations WHERE peer = ?`, peer).toArray()[0];
    return row && rowOf(row);
  }

  list(q: ConversationQuery): ConversationFactsRow[] {
    const where: string[] = [];
    const args: SqlStorageValue[] = [];
    if (q.peer !== undefined) {
      where.push("peer = ?");
      args.push(q.peer);
    }
    if (q.updatedSince !== undefined) {
      where.push("updated_at >= ?");
      args.push(q.updatedSince);
    }
    if (q.after) {
      where.push("(updated_at, peer) > (?, ?)");
      args.push(q.after.updatedAt, q.after.peer);
    }
    const sql = `SELECT ${COLUMNS} FROM conversations ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY updated_at, peer LIMIT ?`;
    return this.sql.exec<Row>(sql, ...args, q.limit).toArray().map(rowOf);
  }

  /**
   * The conversation an identity leads to: the one recorded for it, else `peer`, recorded from now on.
   * The first conversation a customer had stays theirs whichever identity they come with later.
   */
  resolveAlias(identity: string, peer: string): string {
    this.sql.exec("INSERT INTO aliases (identity, peer) VALUES (?, ?) ON CONFLICT (identity) DO NOTHING", identity, peer);
    return this.sql.exec<{ peer: string }>("SELECT peer FROM aliases WHERE identity = ?", identity).one().peer;
  }

  /** The conversation an identity leads to, if one was recorded. */
  aliasOf(identity: string): string | undefined {
    return this.sql.exec<{ peer: string }>("SELECT peer FROM aliases WHERE identity = ?", identity).toArray()[0]?.peer;
  }
}
