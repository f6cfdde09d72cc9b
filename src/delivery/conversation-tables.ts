import type { ConversationAddress, MessageStatus, MessageTag, OutboundContent } from "../model";

/** The SQLite schema of a conversation outbox shard, as append-only numbered migrations. */
export const CONVERSATION_MIGRATIONS = [
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
  // One object holds many conversations of one account (a shard): each message names its peer, and
  // `heads` keeps each conversation's first unsent message, the only one of it that may be sent next.
  // A batch's messages are `bulk`: they go after the one-to-one messages that are due.
  `ALTER TABLE messages ADD COLUMN peer TEXT;
   ALTER TABLE messages ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0;
   CREATE TABLE conversations (peer TEXT PRIMARY KEY, address TEXT NOT NULL, next_send_at INTEGER);
   INSERT INTO conversations (peer, address) SELECT json_extract(value, '$.peer'), value FROM meta WHERE key = 'address';
   UPDATE messages SET peer = (SELECT json_extract(value, '$.peer') FROM meta WHERE key = 'address');
   INSERT INTO meta (key, value) SELECT 'owner', json_object('tenant', json_extract(value, '$.tenant'), 'account', json_extract(value, '$.account'))
     FROM meta WHERE key = 'address';
   CREATE INDEX messages_peer_pending ON messages (peer, seq) WHERE next_attempt_at IS NOT NULL;
   CREATE TABLE heads (peer TEXT PRIMARY KEY, seq INTEGER NOT NULL, bulk INTEGER NOT NULL, due_at INTEGER NOT NULL);
   CREATE INDEX heads_order ON heads (bulk, seq);
   CREATE INDEX heads_due ON heads (due_at);
   INSERT INTO heads (peer, seq, bulk, due_at)
     SELECT peer, seq, bulk, next_attempt_at FROM messages WHERE next_attempt_at IS NOT NULL ORDER BY seq LIMIT 1;`,
  // History by the message's integer key: an index over long text ids made every step cost more than the send.
  `ALTER TABLE history ADD COLUMN seq INTEGER;
   UPDATE history SET seq = (SELECT seq FROM messages WHERE messages.id = history.message_id);
   DROP INDEX history_message;
   CREATE INDEX history_seq ON history (seq);`,
  // Every index is written on every send: keep only those a query reads (the heads replaced the queue's,
  // platform_ids the platform id's; a watermark reads one customer's sent messages; the earliest head is
  // read once per alarm).
  `DROP INDEX messages_platform_id;
   DROP INDEX messages_queued;
   DROP INDEX messages_sent_at;
   CREATE INDEX messages_peer_sent ON messages (peer, sent_at) WHERE sent_at IS NOT NULL;
   DROP INDEX heads_due;`,
  // What the relay knows of each customer, for the messaging window and GET /v1/conversations; and the
  // customer's other identities (a WhatsApp business-scoped id) that lead to the conversation's peer.
  `ALTER TABLE conversations ADD COLUMN created_at INTEGER;
   ALTER TABLE conversations ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE conversations ADD COLUMN last_inbound_at INTEGER;
   ALTER TABLE conversations ADD COLUMN last_outbound_at INTEGER;
   ALTER TABLE conversations ADD COLUMN subscribed INTEGER;
   ALTER TABLE conversations ADD COLUMN closed_at INTEGER;
   ALTER TABLE conversations ADD COLUMN customer TEXT;
   UPDATE conversations SET
     created_at = (SELECT MIN(created_at) FROM messages WHERE messages.peer = conversations.peer),
     last_outbound_at = (SELECT MAX(sent_at) FROM messages WHERE messages.peer = conversations.peer);
   UPDATE conversations SET updated_at = COALESCE(last_outbound_at, created_at, 0);
   CREATE INDEX conversations_updated ON conversations (updated_at, peer);
   CREATE TABLE aliases (identity TEXT PRIMARY KEY, peer TEXT NOT NULL);`,
  // A message may quote another (its id as the client gave it) and go under a Messenger message tag.
  `ALTER TABLE messages ADD COLUMN reply_to TEXT;
   ALTER TABLE messages ADD COLUMN tag TEXT;`,
  // Lists of messages newest first (all of them, one customer's, one reference's, the failed ones),
  // each read down an index from its newest row, and when the relay recorded each step by its own clock:
  // a platform's timestamp may lag, so the newest steps are found by key down to a window's start. The
  // columns indexed never change after insert, and only failed messages enter the partial index.
  `CREATE INDEX messages_created ON messages (created_at);
   CREATE INDEX messages_peer_created ON messages (peer, created_at);
   CREATE INDEX messages_reference_created ON messages (reference, created_at) WHERE reference IS NOT NULL;
   CREATE INDEX messages_failed_created ON messages (created_at) WHERE status = 'failed';
   ALTER TABLE history ADD COLUMN recorded_at INTEGER;`,
  // Staged events are deduplicated where they are delivered (an endpoint keeps each event id once): a
  // unique index here cost two writes per event and caught only copies staged at the same moment.
  `CREATE TABLE event_outbox_staged (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, event TEXT NOT NULL);
   INSERT INTO event_outbox_staged (seq, id, event) SELECT seq, id, event FROM event_outbox;
   DROP TABLE event_outbox;
   ALTER TABLE event_outbox_staged RENAME TO event_outbox;`,
];

/** A message as the API accepted it, to append to its conversation. */
export interface QueuedMessage {
  address: ConversationAddress;
  id: string;
  content: OutboundContent;
  reference?: string;
  /** Part of a batch: sent after the one-to-one messages that are due. */
  bulk?: boolean;
  /** The message it quotes, as the client named it (the relay's id or the platform's). */
  replyTo?: string;
  /** The Messenger message tag it goes under. */
  tag?: MessageTag;
}

/** The first unsent message of a conversation, due for sending. */
export interface PendingMessage {
  seq: number;
  id: string;
  address: ConversationAddress;
  content: OutboundContent;
  reference?: string;
  replyTo?: string;
  tag?: MessageTag;
  bulk: boolean;
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

/** A conversation's first unsent message, by key: what the shard sends next. */
export interface DueHead {
  peer: string;
  seq: number;
  /** 1: a batch's message, sent after every one-to-one message due. */
  bulk: number;
}

/** A row of `messages`. */
export interface MessageRow extends Record<string, SqlStorageValue> {
  seq: number;
  id: string;
  peer: string | null;
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
  bulk: number;
  reply_to: string | null;
  tag: string | null;
}

/** A waiting message as the outbox hands it to a send, from its row and its conversation's address. */
export function pendingMessageOf(row: MessageRow & { address: string }): PendingMessage {
  return {
    seq: row.seq,
    id: row.id,
    address: JSON.parse(row.address) as ConversationAddress,
    content: JSON.parse(row.content) as OutboundContent,
    ...(row.reference !== null && { reference: row.reference }),
    ...(row.reply_to !== null && { replyTo: row.reply_to }),
    ...(row.tag !== null && { tag: row.tag as MessageTag }),
    bulk: row.bulk === 1,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at ?? row.created_at,
    createdAt: row.created_at,
    queuedAt: row.queued_at ?? row.created_at,
    partsSent: row.parts_sent,
    internalErrors: row.internal_errors,
    mediaErrors: row.media_errors,
  };
}
