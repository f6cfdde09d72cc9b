import type { Env } from "../env";
import { conversationKey, type InboundEvent } from "../model";
import { tenantEndpoints } from "../registry/directory";
import type { EndpointFilter } from "../registry/records";
import { endpointOutbox } from "./endpoint-outbox";
import { ENDPOINT_SHARDS, shardOf } from "./shards";

/** Events handed to one endpoint outbox per call: bounded, whatever the batch size. */
export const ENDPOINT_CHUNK = 500;

/** The tenant has no endpoint: its events are not acknowledged (or stay staged) until it creates one. */
export class NoEndpointError extends Error {
  override name = "NoEndpointError";
}

/**
 * Which of a tenant's endpoints receive which events: those whose filter admits the event's type and
 * account (a filter left out admits all). Order within each list is the order given.
 */
export function routeEvents<E extends EndpointFilter & { id: string }>(endpoints: readonly E[], events: readonly InboundEvent[]): Map<string, InboundEvent[]> {
  const routes = new Map<string, InboundEvent[]>();
  for (const endpoint of endpoints) {
    const matching = events.filter(
      (e) => (!endpoint.eventTypes || endpoint.eventTypes.includes(e.type)) && (!endpoint.accounts || endpoint.accounts.includes(e.conversation.account)),
    );
    if (matching.length > 0) routes.set(endpoint.id, matching);
  }
  return routes;
}


/** Events that are not a customer's doing: statistics do not count them as received. */
const NOT_RECEIVED: ReadonlySet<string> = new Set(["message.status", "channel.error", "account.health"]);

/**
 * Where statistics count each customer event as received: in the first endpoint it is routed to (the
 * tenant's endpoints in id order), so that an event stored for several endpoints counts once.
 */
export function receivedCopies(routes: ReadonlyMap<string, readonly InboundEvent[]>): Map<string, string> {
  const counted = new Map<string, string>();
  for (const [endpoint, events] of routes) {
    for (const e of events) if (!NOT_RECEIVED.has(e.type) && !counted.has(e.id)) counted.set(e.id, endpoint);
  }
  return counted;
}

/** Stores events in one outbox shard, in order, in bounded chunks, naming the copies counted as received. */
async function storeInShard(env: Env, tenant: string, endpoint: string, shard: number, events: readonly InboundEvent[], counted: ReadonlyMap<string, string>): Promise<void> {
  const outbox = endpointOutbox(env, tenant, endpoint, shard);
  for (let i = 0; i < events.length; i += ENDPOINT_CHUNK) {
    const chunk = events.slice(i, i + ENDPOINT_CHUNK);
    await outbox.enqueue(tenant, endpoint, chunk, chunk.filter((e) => counted.get(e.id) === endpoint).map((e) => e.id));
  }
}

/**
 * Stores events in the outbox shards of every endpoint of the tenant that wants them (a conversation's
 * events always in the same shard, in order); resolves once all are durable. `write` wraps each store
 * (to bound time or map exhaustion).
 * Throws NoEndpointError when the tenant has no endpoint at all: nothing is acknowledged that has nowhere to go.
 */
export async function handToEndpoints(
  env: Env,
  tenant: string,
  events: readonly InboundEvent[],
  write: (store: () => Promise<unknown>) => Promise<unknown> = (store) => store(),
): Promise<void> {
  if (events.length === 0) return;
  const endpoints = await tenantEndpoints(env, tenant);
  if (endpoints.length === 0) throw new NoEndpointError(`tenant '${tenant}' has no endpoint`);
  const writes: Promise<unknown>[] = [];
  const routes = routeEvents(endpoints, events);
  const counted = receivedCopies(routes);
  for (const [id, routed] of routes) {
    const shards = new Map<number, InboundEvent[]>();
    for (const e of routed) {
      const shard = shardOf(conversationKey(e.conversation), ENDPOINT_SHARDS);
      (shards.get(shard) ?? shards.set(shard, []).get(shard)!).push(e);
    }
    for (const [shard, shardEvents] of shards) {
      writes.push(write(() => storeInShard(env, tenant, id, shard, shardEvents, counted)));
    }
  }
  await Promise.all(writes);
}
