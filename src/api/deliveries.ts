import { Hono } from "hono";
import { endpointOutbox } from "../delivery/endpoint-outbox";
import { ENDPOINT_SHARDS } from "../delivery/shards";
import { ProblemError } from "../errors";
import { registryOf } from "../registry/registry";
import { readQuery } from "./body";
import { DeliveriesQuery, type DeliveryList } from "./console-schemas";
import type { AppContext, AppEnv } from "./context";
import { decodeCursor, encodeCursor } from "./cursor";
import { requireAuth } from "./middleware";
import { mergeShardPages, PlaceCursor, placeCursor, shardBound } from "./shard-pages";

/**
 * One page of an endpoint's delivery attempts, newest first, merged over its outbox shards: each keeps
 * the log of its newest attempts, and answers one more than a page below the cursor.
 */
async function listDeliveries(c: AppContext, endpoint: string): Promise<DeliveryList> {
  const tenant = c.get("principal").tenant;
  const q = readQuery(c, DeliveriesQuery);
  const cursor = q.cursor ? decodeCursor(q.cursor, PlaceCursor) : undefined;
  if (!(await registryOf(c.env).endpoint(tenant, endpoint))) {
    throw new ProblemError(404, "endpoint_not_found", `There is no endpoint '${endpoint}' in your tenant.`);
  }
  const pages = await Promise.all(
    Array.from({ length: ENDPOINT_SHARDS }, async (_, k) => {
      const shard = String(k);
      const rows = await endpointOutbox(c.env, tenant, endpoint, k).deliveries(shardBound(shard, cursor), q.limit + 1);
      const last = rows[rows.length - 1];
      return { shard, rows, ...(rows.length > q.limit && last && { floor: { at: last.at, seq: last.seq } }) };
    }),
  );
  const { rows, next } = mergeShardPages(pages, q.limit);
  return {
    items: rows.map((r) => ({
      at: new Date(r.at).toISOString(),
      eventId: r.eventId,
      attempt: r.attempt,
      ...(r.status !== undefined && { status: r.status }),
      latencyMs: r.latencyMs,
      ...(r.error !== undefined && { error: r.error }),
      delivered: r.delivered,
    })),
    ...(next && { next: encodeCursor(placeCursor(next)) }),
  };
}

/** `GET /v1/endpoints/{id}/deliveries`: what happened to the endpoint's latest deliveries. */
export const deliveriesApi = new Hono<AppEnv>().get("/v1/endpoints/:id/deliveries", requireAuth("endpoints:write"), async (c) =>
  c.json(await listDeliveries(c, c.req.param("id"))),
);
