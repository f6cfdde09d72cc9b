import type { MessageStatus } from "../model";

/**
 * Rows one shard examines at most for one page of `GET /v1/messages`: a filter no index serves (a
 * status) may then answer a short page with a cursor, never a slow one.
 */
export const MESSAGE_SCAN_BUDGET = 2_000;

/** A place in a shard's list, newest first: acceptance time, then key. */
export interface MessageKey {
  at: number;
  seq: number;
}

/** What one shard is asked for: the newest matches below `before`, accepted at or after `since`. */
export interface MessageScan {
  /** Only rows strictly before this place (the previous page's end, or the end of a time range). */
  before?: MessageKey;
  since?: number;
  peer?: string;
  reference?: string;
  status?: MessageStatus;
  /** How many matches to answer at most. */
  limit: number;
}

/** A matching message's place and id. */
export interface MessageHit extends MessageKey {
  id: string;
}

/** One shard's matches, newest first; `floor` when it stopped before its end. */
export interface MessageScanResult {
  hits: MessageHit[];
  /** Every row at or above this place was examined; rows below it were not (absent: the shard was read to its end). */
  floor?: MessageKey;
}

interface Row extends Record<string, SqlStorageValue> {
  seq: number;
  id: string;
  created_at: number;
  peer: string | null;
  reference: string | null;
  status: string;
}

/**
 * The statement that reads a scan's rows: down the index that serves the most selective filter (a
 * reference, a customer, failed messages, else acceptance time), newest first, at most `budget` rows.
 */
export function messageScanQuery(q: MessageScan, budget: number): { query: string; args: SqlStorageValue[] } {
  const where: string[] = [];
  const args: SqlStorageValue[] = [];
  let index = "messages_created";
  if (q.reference !== undefined) {
    index = "messages_reference_created";
    where.push("reference = ?");
    args.push(q.reference);
  } else if (q.peer !== undefined) {
    index = "messages_peer_created";
    where.push("peer = ?");
    args.push(q.peer);
  } else if (q.status === "failed") {
    index = "messages_failed_created";
    where.push("status = 'failed'");
  }
  if (q.since !== undefined) {
    where.push("created_at >= ?");
    args.push(q.since);
  }
  if (q.before) {
    // The first term bounds the index range; the second orders ties by key.
    where.push("created_at <= ? AND (created_at < ? OR seq < ?)");
    args.push(q.before.at, q.before.at, q.before.seq);
  }
  return {
    query: `SELECT seq, id, created_at, peer, reference, status FROM messages INDEXED BY ${index}
       ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, seq DESC LIMIT ?`,
    args: [...args, budget],
  };
}

/**
 * The newest messages of a shard that match `q`, examining at most `budget` rows (`messageScanQuery`):
 * filters the index does not serve are checked on the rows read.
 */
export function scanMessages(sql: SqlStorage, q: MessageScan, budget = MESSAGE_SCAN_BUDGET): MessageScanResult {
  const { query, args } = messageScanQuery(q, budget);
  const rows = sql.exec<Row>(query, ...args).toArray();
  // Read to the shard's end: every row below the last one read was examined too.
  const complete = rows.length < budget;
  const hits: MessageHit[] = [];
  for (const [i, r] of rows.entries()) {
    if (q.peer !== undefined && r.peer !== q.peer) continue;
    if (q.status !== undefined && r.status !== q.status) continue;
    hits.push({ at: r.created_at, seq: r.seq, id: r.id });
    if (hits.length === q.limit) return complete && i === rows.length - 1 ? { hits } : { hits, floor: { at: r.created_at, seq: r.seq } };
  }
  const last = rows[rows.length - 1];
  return complete || !last ? { hits } : { hits, floor: { at: last.created_at, seq: last.seq } };
}
