import { Hono } from "hono";
import type { z } from "zod";
import { loadConfig } from "../config/load";
import { toHex } from "../crypto";
import { endpointShards } from "../delivery/endpoint-outbox";
import { ProblemError, validationProblem } from "../errors";
import { forgetRegistryView, tenantAccounts } from "../registry/directory";
import { registryOf } from "../registry/registry";
import type { RegistryEndpoint } from "../registry/records";
import { mergePatch } from "../registry/secrets";
import { staticUrlProblem } from "../transport/guarded-fetch";
import { limitBody, MAX_API_BODY_BYTES, readJsonBody, readOptionalBody } from "./body";
import type { AppContext, AppEnv } from "./context";
import { deadLettersOf, replayDeadLetter } from "./dead-letters";
import { requireAuth } from "./middleware";
import {
  CreateEndpointRequest,
  EnableEndpointRequest,
  type EndpointEnabled,
  type EndpointList,
  EndpointSettings,
  type EndpointWithSecret,
  type EndpointWithState,
  type DeadLetterList,
  UpdateEndpointRequest,
} from "./schemas";

/** How many endpoints one tenant may have: each is an outbox, and every event is stored once per endpoint. */
export const MAX_ENDPOINTS_PER_TENANT = 20;

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
async function withState(c: AppContext, endpoint: RegistryEndpoint): Promise<EndpointWithState> {
  const s = await endpointShards(c.env, endpoint.tenant, endpoint.id).status();
  return {
    ...endpoint,
    state: s.state,
    ...(s.reason && { reason: s.reason }),
    ...(s.disabledAt && { disabledAt: new Date(s.disabledAt).toISOString() }),
    ...(s.failingSince && { failingSince: new Date(s.failingSince).toISOString() }),
    events: s.counts,
  };
}

const newEndpointId = () => `ep_${toHex(crypto.getRandomValues(new Uint8Array(6)))}`;

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
    const created = await registryOf(c.env).createEndpoint(tenant, id, settings, MAX_ENDPOINTS_PER_TENANT);
    forgetRegistryView();
    if (created === "limit") throw new ProblemError(422, "endpoint_limit", `A tenant has at most ${MAX_ENDPOINTS_PER_TENANT} endpoints; delete one first.`);
    if (created === "exists") throw new ProblemError(409, "endpoint_exists", `Your tenant has an endpoint '${id}' already; choose another id.`);
    if (created === "no_tenant") throw new ProblemError(404, "tenant_not_found", "Your tenant is no longer in the registry.");
    const body: EndpointWithSecret = { ...created.endpoint, secret: created.secret };
    return c.json(body, 201, { location: `/v1/endpoints/${id}` });
  })
  .get("/v1/endpoints", requireAuth("endpoints:write"), async (c) => {
    const body: EndpointList = { items: await registryOf(c.env).endpoints(c.get("principal").tenant) };
    return c.json(body);
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
    await endpointShards(c.env, tenant, id).purge();
    return c.body(null, 204);
  })
  .post("/v1/endpoints/:id/enable", requireAuth("endpoints:write"), limitBody(MAX_API_BODY_BYTES), async (c) => {
    const id = c.req.param("id");
    const tenant = c.get("principal").tenant;
    const { since } = await readOptionalBody(c, EnableEndpointRequest);
    if (!(await registryOf(c.env).endpoint(tenant, id))) throw notFound(id);
    const body: EndpointEnabled = { state: "enabled", due: await endpointShards(c.env, tenant, id).enable(since ? Date.parse(since) : undefined) };
    return c.json(body);
  })
  .post("/v1/endpoints/:id/rotate-secret", requireAuth("endpoints:write"), async (c) => {
    const id = c.req.param("id");
    const rotated = await registryOf(c.env).rotateEndpointSecret(c.get("principal").tenant, id);
    forgetRegistryView();
    if (!rotated) throw notFound(id);
    const body: EndpointWithSecret = { ...rotated.endpoint, secret: rotated.secret };
    return c.json(body);
  })
  .get("/v1/endpoints/:id/dead-letters", requireAuth("messages:read"), async (c) => {
    const id = c.req.param("id");
    const tenant = c.get("principal").tenant;
    if (!(await registryOf(c.env).endpoint(tenant, id))) throw notFound(id);
    const body: DeadLetterList = { items: await deadLettersOf(c, [id]) };
    return c.json(body);
  })
  .post("/v1/endpoints/:id/dead-letters/:letter/replay", requireAuth("messages:send"), async (c) => {
    const { id, letter } = c.req.param();
    const tenant = c.get("principal").tenant;
    if (!(await registryOf(c.env).endpoint(tenant, id))) throw notFound(id);
    return replayDeadLetter(c, letter, [id]);
  });
