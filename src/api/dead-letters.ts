import { Hono } from "hono";
import { ProblemError } from "../errors";
import { limitBody, MAX_API_BODY_BYTES, readOptionalBody } from "./body";
import type { AppContext, AppEnv } from "./context";
import { conversationOfMessage } from "./message-ids";
import { requireAuth } from "./middleware";
import { DeadLettersQuery, type DeadLetterList, EnableEndpointRequest, type EndpointEnabled, type EndpointStatus, type Replayed } from "./schemas";

const endpointOf = (c: AppContext) => c.env.ENDPOINTS.get(c.env.ENDPOINTS.idFromName(c.get("principal").tenant));

/**
 * Dead letters and the tenant's endpoint: failed messages and undeliverable events, replay of one, and
 * re-enabling an endpoint that was disabled (410 Gone, or failing for days) with optional recovery.
 */
export const deadLettersApi = new Hono<AppEnv>()
  .get("/v1/dead-letters", requireAuth("messages:read"), async (c) => {
    const { limit } = DeadLettersQuery.parse(c.req.query());
    const body: DeadLetterList = { items: await endpointOf(c).deadLetters(limit) };
    return c.json(body);
  })
  .post("/v1/dead-letters/:id/replay", requireAuth("messages:send"), async (c) => {
    const id = c.req.param("id");
    const tenant = c.get("principal").tenant;
    const notFound = () => new ProblemError(404, "dead_letter_not_found", `There is no dead letter '${id}' in your tenant.`);
    if (id.startsWith("msg_")) {
      const conversation = conversationOfMessage(c.env, id);
      if (!conversation || !(await conversation.requeue(id, tenant))) throw notFound();
      await endpointOf(c).forgetDeadMessage(id);
      const body: Replayed = { id, replayed: true, status: "queued" };
      return c.json(body, 202);
    }
    const outcome = await endpointOf(c).replayEvent(id);
    if (outcome === "unknown") throw notFound();
    if (outcome === "disabled") {
      throw new ProblemError(409, "endpoint_disabled", "The endpoint is disabled: enable it with POST /v1/endpoint/enable.");
    }
    const body: Replayed = { id, replayed: true };
    return c.json(body, 202);
  })
  .get("/v1/endpoint", requireAuth("messages:read"), async (c) => {
    const s = await endpointOf(c).status();
    const body: EndpointStatus = {
      state: s.state,
      ...(s.reason && { reason: s.reason }),
      ...(s.disabledAt && { disabledAt: new Date(s.disabledAt).toISOString() }),
      ...(s.failingSince && { failingSince: new Date(s.failingSince).toISOString() }),
      events: s.counts,
    };
    return c.json(body);
  })
  .post("/v1/endpoint/enable", requireAuth("messages:send"), limitBody(MAX_API_BODY_BYTES), async (c) => {
    const { since } = await readOptionalBody(c, EnableEndpointRequest);
    const body: EndpointEnabled = { state: "enabled", due: await endpointOf(c).enable(since ? Date.parse(since) : undefined) };
    return c.json(body);
  });
