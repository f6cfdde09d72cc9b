import { Hono } from "hono";
import { z } from "zod";
import { ProblemError } from "../errors";
import { limitBody, MAX_API_BODY_BYTES, readOptionalBody } from "./body";
import type { AppContext, AppEnv } from "./context";
import { conversationOfMessage } from "./message-ids";
import { requireAuth } from "./middleware";

const endpointOf = (c: AppContext) => c.env.ENDPOINTS.get(c.env.ENDPOINTS.idFromName(c.get("principal").tenant));

const EnableRequest = z.object({
  /** Deliver again every event stored since this time (recovery after the backend lost data). */
  since: z.iso.datetime().optional(),
});

/**
 * Dead letters and the tenant's endpoint: failed messages and undeliverable events, replay of one, and
 * re-enabling an endpoint that was disabled (410 Gone, or failing for days) with optional recovery.
 */
export const deadLettersApi = new Hono<AppEnv>()
  .get("/v1/dead-letters", requireAuth("messages:read"), async (c) => {
    const limit = Math.min(Math.max(Number(c.req.query("limit") ?? 100) || 100, 1), 1000);
    return c.json({ items: await endpointOf(c).deadLetters(limit) });
  })
  .post("/v1/dead-letters/:id/replay", requireAuth("messages:send"), async (c) => {
    const id = c.req.param("id");
    const tenant = c.get("principal").tenant;
    const notFound = () => new ProblemError(404, "dead_letter_not_found", `There is no dead letter '${id}' in your tenant.`);
    if (id.startsWith("msg_")) {
      const conversation = conversationOfMessage(c.env, id);
      if (!conversation || !(await conversation.requeue(id, tenant))) throw notFound();
      await endpointOf(c).forgetDeadMessage(id);
      return c.json({ id, replayed: true, status: "queued" }, 202);
    }
    const outcome = await endpointOf(c).replayEvent(id);
    if (outcome === "unknown") throw notFound();
    if (outcome === "disabled") {
      throw new ProblemError(409, "endpoint_disabled", "The endpoint is disabled: enable it with POST /v1/endpoint/enable.");
    }
    return c.json({ id, replayed: true }, 202);
  })
  .get("/v1/endpoint", requireAuth("messages:read"), async (c) => {
    const s = await endpointOf(c).status();
    return c.json({
      state: s.state,
      ...(s.reason && { reason: s.reason }),
      ...(s.disabledAt && { disabledAt: new Date(s.disabledAt).toISOString() }),
      ...(s.failingSince && { failingSince: new Date(s.failingSince).toISOString() }),
      events: s.counts,
    });
  })
  .post("/v1/endpoint/enable", requireAuth("messages:send"), limitBody(MAX_API_BODY_BYTES), async (c) => {
    const { since } = await readOptionalBody(c, EnableRequest);
    const due = await endpointOf(c).enable(since ? Date.parse(since) : undefined);
    return c.json({ state: "enabled", due });
  });
