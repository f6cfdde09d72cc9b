import { Hono } from "hono";
import { conversationShard } from "../delivery/conversation-shards";
import { endpointShards } from "../delivery/endpoint-outbox";
import { CONVERSATION_SHARDS } from "../delivery/shards";
import { mergeStats, type StatsPart, type StatsWindow, statsWindow } from "../delivery/stats";
import type { Env } from "../env";
import { tenantAccounts, tenantEndpoints } from "../registry/directory";
import { registryOf } from "../registry/registry";
import { readQuery } from "./body";
import { type Stats, StatsQuery, type TenantStatsPage, TenantStatsQuery } from "./console-schemas";
import type { AppContext, AppEnv } from "./context";
import { requireAuth } from "./middleware";

/** Tenants whose statistics are read at once for the operator's page: each reads every shard it has. */
const PARALLEL_TENANTS = 4;

/**
 * A tenant's statistics over `window`: every conversation shard of its accounts and every outbox shard
 * of its endpoints counts its own rows (bounded queries), and the counts add up.
 */
export async function tenantStats(env: Env, tenant: string, window: StatsWindow): Promise<Stats> {
  const [accounts, endpoints] = await Promise.all([tenantAccounts(env, tenant), tenantEndpoints(env, tenant)]);
  const parts: Promise<StatsPart | StatsPart[]>[] = [
    ...accounts.flatMap((a) => Array.from({ length: CONVERSATION_SHARDS }, (_, k) => conversationShard(env, tenant, a.id, k).stats(window, tenant, a.channel))),
    ...endpoints.map((e) => endpointShards(env, tenant, e.id).stats(window)),
  ];
  return mergeStats(window, (await Promise.all(parts)).flat());
}

/** A page of tenants in id order, each with its statistics, a few tenants at a time. */
async function tenantStatsPage(c: AppContext): Promise<TenantStatsPage> {
  const q = readQuery(c, TenantStatsQuery);
  const window = statsWindow(Date.now(), q.minutes);
  const tenants = await registryOf(c.env).tenants(q.limit, q.after);
  const stats: TenantStatsPage["tenants"] = [];
  for (let i = 0; i < tenants.length; i += PARALLEL_TENANTS) {
    const group = tenants.slice(i, i + PARALLEL_TENANTS);
    stats.push(...(await Promise.all(group.map(async (t) => ({ tenant: t.id, ...(await tenantStats(c.env, t.id, window)) })))));
  }
  const last = tenants[tenants.length - 1];
  return { tenants: stats, ...(tenants.length === q.limit && last && { next: last.id }) };
}

/** `GET /v1/stats`: the tenant's traffic per minute, its failures, delivery latency and what waits. */
export const statsApi = new Hono<AppEnv>().get("/v1/stats", requireAuth("messages:read"), async (c) => {
  const { minutes } = readQuery(c, StatsQuery);
  return c.json(await tenantStats(c.env, c.get("principal").tenant, statsWindow(Date.now(), minutes)));
});

/** The operator's view of every tenant's statistics (mounted under the operator's routes). */
export async function operatorStats(c: AppContext): Promise<Response> {
  return c.json(await tenantStatsPage(c));
}
