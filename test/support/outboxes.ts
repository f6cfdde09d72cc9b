import { env, runInDurableObject } from "cloudflare:test";
import { conversationOutbox } from "../../src/delivery/conversation-shards";
import { endpointOutbox, endpointShards } from "../../src/delivery/endpoint-outbox";
import { ENDPOINT_SHARDS } from "../../src/delivery/shards";
import type { ConversationAddress } from "../../src/model";

/** The outbox shard that holds a conversation. */
export const outboxOf = (address: ConversationAddress) => conversationOutbox(env, address);

/** One endpoint's outbox, all shards together (RELAY_CONFIG's endpoint unless named). */
export const endpointOf = (tenant: string, endpoint = "default") => endpointShards(env, tenant, endpoint);

/** Events an endpoint holds, by state, across its shards. */
export async function endpointCounts(tenant: string, endpoint = "default"): Promise<Record<string, number>> {
  return (await endpointOf(tenant, endpoint).status()).counts;
}

/**
 * How many events an endpoint holds, once that number holds still: a webhook's events are stored in
 * their conversations' shards before the platform is answered, and handed to the endpoint a moment later.
 */
export async function endpointTotal(tenant: string, endpoint = "default"): Promise<number> {
  const read = async () => Object.values(await endpointCounts(tenant, endpoint)).reduce((a, b) => a + b, 0);
  let last = await read();
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await read();
    if (now === last) return now;
    last = now;
  }
  return last;
}

/** The rows a query finds in every shard of an endpoint's outbox, shard after shard. */
export async function endpointRows<R extends Record<string, SqlStorageValue>>(tenant: string, query: string, endpoint = "default"): Promise<R[]> {
  const rows: R[] = [];
  for (let k = 0; k < ENDPOINT_SHARDS; k++) {
    rows.push(...(await runInDurableObject(endpointOutbox(env, tenant, endpoint, k), (_, state) => state.storage.sql.exec<R>(query).toArray())));
  }
  return rows;
}
