import { Hono } from "hono";
import { endpointShards } from "../delivery/endpoint-outbox";
import { ProblemError } from "../errors";
import { tenantEndpoints } from "../registry/directory";
import type { AppContext, AppEnv } from "./context";
import { conversationOfMessage } from "./message-ids";
import { requireAuth } from "./middleware";
import { type DeadLetter, type DeadLetterList, DeadLettersQuery, type Replayed } from "./schemas";

/**
 * Dead letters of some of the tenant's endpoints (all when `only` is absent): failed messages, once
 * each, and events an endpoint could not deliver, naming that endpoint; oldest first.
 */
export async function deadLettersOf(c: AppContext, only?: string[]): Promise<DeadLetter[]> {
  const tenant = c.get("principal").tenant;
  const { limit } = DeadLettersQuery.parse(c.req.query());
  const ids = only ?? (await tenantEndpoints(c.env, tenant)).map((e) => e.id);
  const lists = await Promise.all(
    ids.map(async (id) => (await endpointShards(c.env, tenant, id).deadLetters(limit)).map((d) => (d.kind === "event" ? { ...d, endpoint: id } : d))),
  );
  const seen = new Set<string>();
  return lists
    .flat()
    .filter((d) => d.kind === "event" || (!seen.has(d.id) && seen.add(d.id)))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    .slice(0, limit);
}

/**
 * Replays a dead letter: a failed message is queued again (once, and forgotten as a dead letter by every
 * endpoint); an event is delivered again by the endpoints (of `only`, or all) that hold it.
 */
export async function replayDeadLetter(c: AppContext, id: string, only?: string[]): Promise<Response> {
  const tenant = c.get("principal").tenant;
  const notFound = () => new ProblemError(404, "dead_letter_not_found", `There is no dead letter '${id}' in your tenant.`);
  const every = (await tenantEndpoints(c.env, tenant)).map((e) => e.id);
  if (id.startsWith("msg_")) {
    const conversation = conversationOfMessage(c.env, id);
    if (!conversation || !(await conversation.requeue(id, tenant))) throw notFound();
    await Promise.all(every.map((e) => endpointShards(c.env, tenant, e).forgetDeadMessage(id)));
    const body: Replayed = { id, replayed: true, status: "queued" };
    return c.json(body, 202);
  }
  const outcomes = await Promise.all((only ?? every).map(async (e) => ({ endpoint: e, outcome: await endpointShards(c.env, tenant, e).replayEvent(id) })));
  const replayed = outcomes.filter((o) => o.outcome === "replayed").map((o) => o.endpoint);
  const disabled = outcomes.filter((o) => o.outcome === "disabled").map((o) => o.endpoint);
  if (replayed.length === 0 && disabled.length > 0) {
    throw new ProblemError(409, "endpoint_disabled", `The endpoint is disabled: enable it with POST /v1/endpoints/${disabled[0]}/enable.`);
  }
  if (replayed.length === 0) throw notFound();
  const body: Replayed = { id, replayed: true, endpoints: replayed };
  return c.json(body, 202);
}

/** Dead letters across the tenant's endpoints: failed messages and undeliverable events, and replay of one. */
export const deadLettersApi = new Hono<AppEnv>()
  .get("/v1/dead-letters", requireAuth("messages:read"), async (c) => {
    const body: DeadLetterList = { items: await deadLettersOf(c) };
    return c.json(body);
  })
  .post("/v1/dead-letters/:id/replay", requireAuth("messages:send"), async (c) => replayDeadLetter(c, c.req.param("id")));
