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

/**
 * Queues messages in their outbox shards, one call per shard (all in parallel): durable once it
 * resolves. Messages of one conversation keep the order given.
 */
export async function queueMessages(env: Env, messages: readonly QueuedMessage[]): Promise<void> {
  const byShard = new Map<string, { id: DurableObjectId; messages: QueuedMessage[] }>();
  for (const m of messages) {
    const id = conversationShardId(env, m.address);
    const shard = byShard.get(id.toString()) ?? byShard.set(id.toString(), { id, messages: [] }).get(id.toString())!;
    shard.messages.push(m);
  }
  await Promise.all([...byShard.values()].map((shard) => env.CONVERSATIONS.get(shard.id).enqueue(shard.messages)));
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
 * Queues messages in their outbox shards after checking each against its messaging window there, one
 * call per shard: what an enforced window refuses is not queued. Answers, per message, the window that
 * did not permit it (null: permitted, or not checked). Durable once it resolves.
 */
export async function queueInWindows(env: Env, items: readonly { message: QueuedMessage; check?: WindowCheck }[]): Promise<(MessagingWindow | null)[]> {
  const byShard = new Map<string, { id: DurableObjectId; indexes: number[] }>();
  items.forEach(({ message }, index) => {
    const id = conversationShardId(env, message.address);
    (byShard.get(id.toString()) ?? byShard.set(id.toString(), { id, indexes: [] }).get(id.toString())!).indexes.push(index);
  });
  const closed: (MessagingWindow | null)[] = items.map(() => null);
  await Promise.all(
    [...byShard.values()].map(async ({ id, indexes }) => {
      const windows = await env.CONVERSATIONS.get(id).enqueueInWindow(indexes.map((i) => items[i]!.message), indexes.map((i) => items[i]!.check ?? null));
      indexes.forEach((index, k) => (closed[index] = windows[k] ?? null));
    }),
  );
  return closed;
}
