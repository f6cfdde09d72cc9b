import type { Env } from "../env";
import type { ConversationAddress, MessagingWindow } from "../model";
import type { QueuedMessage } from "./conversation-tables";
import { CONVERSATION_SHARDS, shardOf } from "./shards";

/**
 * The id of the outbox shard that holds a conversation: one of CONVERSATION_SHARDS per channel account,
 * chosen by the customer, so that a conversation always lands in the same shard.
 */
export function conversationShardId(env: Env, address: ConversationAddress): DurableObjectId {
  return env.CONVERSATIONS.idFromName(JSON.stringify([address.tenant, address.account, shardOf(address.peer, CONVERSATION_SHARDS)]));
}

/** Outbox shard `k` (of CONVERSATION_SHARDS) of an account, for what reads every shard of it. */
export function conversationShard(env: Env, tenant: string, account: string, k: number) {
  return env.CONVERSATIONS.get(env.CONVERSATIONS.idFromName(JSON.stringify([tenant, account, k])));
}

export function conversationOutbox(env: Env, address: ConversationAddress) {
  return env.CONVERSATIONS.get(conversationShardId(env, address));
}

/** Groups items by the conversation outbox shard of their address, in the order given. */
export function byShard<T>(env: Env, items: readonly T[], addressOf: (item: T) => ConversationAddress): Map<string, T[]> {
  const shards = new Map<string, T[]>();
  for (const item of items) {
    const key = conversationShardId(env, addressOf(item)).toString();
    (shards.get(key) ?? shards.set(key, []).get(key)!).push(item);
  }
  return shards;
}

/**
 * How a message is checked against its conversation's messaging window where the conversation's facts
 * are kept: `tag` is the Messenger tag it goes with; `advise` queues it even outside the window.
 */
export interface WindowCheck {
  tag?: string;
  advise: boolean;
}

/**
 * Queues messages in their outbox shards, one call per shard (all in parallel); messages of one
 * conversation keep the order given. With `checks` (`checks[i]` for `messages[i]`), each is first checked
 * against its messaging window in its shard, and one an enforced window refuses is not queued. Answers,
 * per message, the window that did not permit it (null: permitted, or not checked). Durable once it
 * resolves.
 */
export async function queueMessages(
  env: Env,
  messages: readonly QueuedMessage[],
  checks: readonly (WindowCheck | undefined)[] = [],
): Promise<(MessagingWindow | null)[]> {
  const closed: (MessagingWindow | null)[] = messages.map(() => null);
  const shards = byShard(env, messages.map((_, i) => i), (i) => messages[i]!.address);
  await Promise.all(
    [...shards.values()].map(async (indexes) => {
      const shard = conversationOutbox(env, messages[indexes[0]!]!.address);
      const windows = await shard.enqueue(indexes.map((i) => messages[i]!), indexes.map((i) => checks[i] ?? null));
      indexes.forEach((index, k) => (closed[index] = windows[k] ?? null));
    }),
  );
  return closed;
}
