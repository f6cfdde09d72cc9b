import { Hono } from "hono";
import { z } from "zod";
import { loadConfig } from "../config/load";
import { endpointOutbox } from "../delivery/endpoint-outbox";
import { ProblemError, validationProblem } from "../errors";
import { EventType, Slug } from "../model";
import { forgetRegistryView, tenantAccounts } from "../registry/directory";
import { registryOf } from "../registry/registry";
import type { RegistryEndpoint } from "../registry/store";
import { mergePatch } from "../registry/secrets";
import { staticUrlProblem } from "../transport/guarded-fetch";
import { limitBody, MAX_API_BODY_BYTES, readJsonBody, readOptionalBody } from "./body";
import type { AppContext, AppEnv } from "./context";
import { deadLettersOf, replayDeadLetter } from "./dead-letters";
import { requireAuth } from "./middleware";

/** How many endpoints one tenant may have: each is an outbox, and every event is stored once per endpoint. */
export const MAX_ENDPOINTS_PER_TENANT = 20;

/** An endpoint's settings: where events go, which of them, and how long a delivery may take. */
export const EndpointSettings = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    description: z.string().trim().max(500).optional(),
    /** Only these event types (all when absent). */
    eventTypes: z.array(EventType).min(1).optional(),
    /** Only events of these channel accounts of the tenant (all when absent). */
    accounts: z.array(Slug).min(1).max(100).optional(),
    /** Every delivery is abandoned (and retried later) after this long. */
    timeoutMs: z.number().int().min(1000).max(60_000).default(15_000),
  })
  .strict();

/** `POST /v1/endpoints`: the settings, and an id (one is made up when absent). */
export const CreateEndpointRequest = EndpointSettings.extend({ id: Slug.optional() }).strict();

/** `PATCH /v1/endpoints/{id}`: a JSON merge patch of the settings (`null` removes a filter or the description). */
export const UpdateEndpointRequest = z
  .object({
    url: z.string(),
    description: z.string().nullable(),
    eventTypes: z.array(z.string()).nullable(),
    accounts: z.array(z.string()).nullable(),
    timeoutMs: z.number(),
  })
  .partial()
  .strict();

/** `POST /v1/endpoints/{id}/enable`. */
export const EnableEndpointRequest = z
  .object({
    /** Deliver again every event stored since this time (recovery after the backend lost data). */
    since: z.iso.datetime().optional(),
  })
  .strict();

const notFound = (id: string) => new ProblemError(404, "endpoint_not_found", `There is no endpoint '${id}' in your tenant.`);

/** Checks what the schema cannot: a URL the relay may call, and accounts the tenant has. */
async function checkSettings(c: AppContext, tenant: string, settings: z.infer<typeof EndpointSettings>): Promise<void> {
  const problem = staticUrlProblem(new URL(settings.url), loadConfig(c.env).config);
  if (problem) throw new ProblemError(422, "url_refused", `url: ${problem}; give a public https URL.`);
  const known = new Set((await tenantAccounts(c.env, tenant)).map((a) => a.id));
  const unknown = settings.accounts?.filter((a) => !known.has(a)) ?? [];
  if (unknown.length > 0) throw new ProblemError(422, "unknown_account", `accounts: your tenant has no account ${unknown.map((a) => `'${a}'`).join(", ")}.`);
}

/** An endpoint as the API shows it, with its delivery state when asked for one. */
async function withState(c: AppContext, endpoint: RegistryEndpoint) {
  const s = await endpointOutbox(c.env, endpoint.tenant, endpoint.id).status();
  return {
    ...endpoint,
    state: s.state,
    ...(s.reason && { reason: s.reason }),
    ...(s.disabledAt && { disabledAt: new Date(s.disabledAt).toISOString() }),
    ...(s.failingSince && { failingSince: new Date(s.failingSince).toISOString() }),
    events: s.counts,
  };
}

const newEndpointId = () => `ep_${Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, "0")).join("")}`;

/**
 * A tenant's webhook endpoints (`endpoints:write`): several per tenant, each with an optional filter on
 * event types and accounts, its own outbox and state, and a signing secret shown once (at creation and
 * at rotation). Its dead letters are read with `messages:read` and replayed with `messages:send`.
 */
export const endpointsApi = new Hono<AppEnv>()
  .post("/v1/endpoints", requireAuth("endpoints:write"), limitBody(MAX_API_BODY_BYTES), async (c) => {
    const tenant = c.get("principal").tenant;
    const { id = newEndpointId(), ...settings } = await readJsonBody(c, CreateEndpointRequest);
    await checkSettings(c, tenant, settings);
    if ((await registryOf(c.env).endpoints(tenant)).length >= MAX_ENDPOINTS_PER_TENANT) {
      throw new ProblemError(422, "endpoint_limit", `A tenant has at most ${MAX_ENDPOINTS_PER_TENANT} endpoints; delete one first.`);
    }
    const created = await registryOf(c.env).createEndpoint(tenant, id, settings);
    forgetRegistryView();
    if (created === "exists") throw new ProblemError(409, "endpoint_exists", `Your tenant has an endpoint '${id}' already; choose another id.`);
    if (created === "no_tenant") throw new ProblemError(404, "tenant_not_found", "Your tenant is no longer in the registry.");
    return c.json({ ...created.endpoint, secret: created.secret }, 201, { location: `/v1/endpoints/${id}` });
  })
  .get("/v1/endpoints", requireAuth("endpoints:write"), async (c) => {
    return c.json({ items: await registryOf(c.env).endpoints(c.get("principal").tenant) });
  })
  .get("/v1/endpoints/:id", requireAuth("endpoints:write"), async (c) => {
    const id = c.req.param("id");
    const endpoint = await registryOf(c.env).endpoint(c.get("principal").tenant, id);
    if (!endpoint) throw notFound(id);
    return c.json(await withState(c, endpoint));
  })
  .patch("/v1/endpoints/:id", requireAuth("endpoints:write"), limitBody(MAX_API_BODY_BYTES), async (c) => {
    const id = c.req.param("id");
    const tenant = c.get("principal").tenant;
    const patch = await readJsonBody(c, UpdateEndpointRequest);
    const current = await registryOf(c.env).endpoint(tenant, id);
    if (!current) throw notFound(id);
    const { url, description, eventTypes, accounts, timeoutMs } = current;
    const parsed = EndpointSettings.safeParse(mergePatch({ url, description, eventTypes, accounts, timeoutMs }, patch));
    if (!parsed.success) throw validationProblem(parsed.error);
    await checkSettings(c, tenant, parsed.data);
    const updated = await registryOf(c.env).updateEndpoint(tenant, id, parsed.data);
    forgetRegistryView();
    if (!updated) throw notFound(id);
    return c.json(updated);
  })
  .delete("/v1/endpoints/:id", requireAuth("endpoints:write"), async (c) => {
    const id = c.req.param("id");
    const tenant = c.get("principal").tenant;
    if (!(await registryOf(c.env).deleteEndpoint(tenant, id))) throw notFound(id);
    forgetRegistryView();
    // Its undelivered events go with it: nothing else would ever deliver them.
    await endpointOutbox(c.env, tenant, id).purge();
    return c.body(null, 204);
  })
  .post("/v1/endpoints/:id/enable", requireAuth("endpoints:write"), limitBody(MAX_API_BODY_BYTES), async (c) => {
    const id = c.req.param("id");
    const tenant = c.get("principal").tenant;
    const { since } = await readOptionalBody(c, EnableEndpointRequest);
    if (!(await registryOf(c.env).endpoint(tenant, id))) throw notFound(id);
    const due = await endpointOutbox(c.env, tenant, id).enable(tenant, id, since ? Date.parse(since) : undefined);
    return c.json({ state: "enabled", due });
  })
  .post("/v1/endpoints/:id/rotate-secret", requireAuth("endpoints:write"), async (c) => {
    const id = c.req.param("id");
    const rotated = await registryOf(c.env).rotateEndpointSecret(c.get("principal").tenant, id);
    forgetRegistryView();
    if (!rotated) throw notFound(id);
    return c.json({ ...rotated.endpoint, secret: rotated.secret });
  })
  .get("/v1/endpoints/:id/dead-letters", requireAuth("messages:read"), async (c) => {
    const id = c.req.param("id");
    const tenant = c.get("principal").tenant;
    if (!(await registryOf(c.env).endpoint(tenant, id))) throw notFound(id);
    return c.json({ items: await deadLettersOf(c, [id]) });
  })
  .post("/v1/endpoints/:id/dead-letters/:letter/replay", requireAuth("messages:send"), async (c) => {
    const { id, letter } = c.req.param();
    const tenant = c.get("principal").tenant;
    if (!(await registryOf(c.env).endpoint(tenant, id))) throw notFound(id);
    return replayDeadLetter(c, letter, [id]);
  });
