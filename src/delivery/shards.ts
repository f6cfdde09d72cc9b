/**
 * How queues are spread over Durable Objects. A conversation's messages and events always land in the
 * same shard (the shard is a function of the conversation alone), so each shard keeps every conversation
 * in order, while the shards of one account or endpoint work in parallel and no single object carries a
 * whole account or tenant. The counts are part of the storage layout: changing one moves conversations
 * to other shards, so they are constants, not settings.
 * @see https://developers.cloudflare.com/durable-objects/best-practices/rules-of-durable-objects/
 */

/** Outbox shards per channel account: each sends at most 1/16 of the account's rate. */
export const CONVERSATION_SHARDS = 16;
/** Outbox shards per business endpoint. */
export const ENDPOINT_SHARDS = 8;

/** A stable shard number in [0, shards) for a key: 32-bit FNV-1a over its UTF-16 code units. */
export function shardOf(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}
