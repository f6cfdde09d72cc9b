import { Hono } from "hono";
import { endpointShards } from "../delivery/endpoint-outbox";
import { ProblemError } from "../errors";
import { forgetRegistryView } from "../registry/directory";
import { registryOf } from "../registry/registry";
import { issueApiKey, revokeApiKey } from "./api-keys";
import { limitBody, MAX_API_BODY_BYTES, readJsonBody, readOptionalBody } from "./body";
import type { OperatorMe } from "./console-schemas";
import type { AppContext, AppEnv } from "./context";
import { requireOperator } from "./middleware";
import { operatorStats } from "./stats";
import { CreateTenant, IssueKeyRequest, type MasterKeyRotated, TenantsQuery, type TenantPage, type TenantWithKeys, UpdateTenant } from "./schemas";

const notFound = (id: string) => new ProblemError(404, "tenant_not_found", `There is no tenant '${id}' in the registry.`);

/** A registry write: this isolate reads its own writes at once; others within the staleness bound. */
async function written<T>(c: AppContext, write: (registry: ReturnType<typeof registryOf>) => Promise<T>): Promise<T> {
  const result = await write(registryOf(c.env));
  forgetRegistryView();
  return result;
}

/**
 * The operator API (`/admin/v1`): tenants created, renamed, suspended, resumed and deleted at runtime,
 * a tenant's API keys issued (shown once) and revoked, the master key rotated, and every tenant's
 * statistics.
 */
export const adminApi = new Hono<AppEnv>()
  .use("/admin/v1/*", requireOperator)
  .get("/admin/v1/me", (c) => c.json({ operator: true } satisfies OperatorMe))
  .get("/admin/v1/stats", operatorStats)
  .post("/admin/v1/tenants", limitBody(MAX_API_BODY_BYTES), async (c) => {
    const { id, name } = await readJsonBody(c, CreateTenant);
    const tenant = await written(c, (r) => r.createTenant(id, name));
    if (!tenant) throw new ProblemError(409, "tenant_exists", `A tenant '${id}' exists already; choose another id.`);
    return c.json(tenant, 201, { location: `/admin/v1/tenants/${id}` });
  })
  .get("/admin/v1/tenants", async (c) => {
    const { limit, after } = TenantsQuery.parse(c.req.query());
    const items = await registryOf(c.env).tenants(limit, after);
    const page: TenantPage = { items, ...(items.length === limit && { next: items[items.length - 1]!.id }) };
    return c.json(page);
  })
  .get("/admin/v1/tenants/:id", async (c) => {
    const id = c.req.param("id");
    const tenant = await registryOf(c.env).tenant(id);
    if (!tenant) throw notFound(id);
    const body: TenantWithKeys = { ...tenant, apiKeys: await registryOf(c.env).apiKeys(id) };
    return c.json(body);
  })
  .patch("/admin/v1/tenants/:id", limitBody(MAX_API_BODY_BYTES), async (c) => {
    const id = c.req.param("id");
    const change = await readJsonBody(c, UpdateTenant);
    const tenant = await written(c, (r) => r.updateTenant(id, change));
    if (!tenant) throw notFound(id);
    return c.json(tenant);
  })
  .post("/admin/v1/tenants/:id/suspend", async (c) => {
    const id = c.req.param("id");
    const tenant = await written(c, (r) => r.updateTenant(id, { status: "suspended" }));
    if (!tenant) throw notFound(id);
    return c.json(tenant);
  })
  .post("/admin/v1/tenants/:id/resume", async (c) => {
    const id = c.req.param("id");
    const tenant = await written(c, (r) => r.updateTenant(id, { status: "active" }));
    if (!tenant) throw notFound(id);
    return c.json(tenant);
  })
  .delete("/admin/v1/tenants/:id", async (c) => {
    const id = c.req.param("id");
    const endpoints = await registryOf(c.env).endpoints(id);
    if (!(await written(c, (r) => r.deleteTenant(id)))) throw notFound(id);
    // Its outboxes go with it: nothing would ever deliver what they hold.
    await Promise.all(endpoints.map((e) => endpointShards(c.env, id, e.id).purge()));
    return c.body(null, 204);
  })
  .post("/admin/v1/tenants/:id/api-keys", limitBody(MAX_API_BODY_BYTES), async (c) => {
    const tenant = c.req.param("id");
    const { scopes } = await readOptionalBody(c, IssueKeyRequest);
    const issued = await issueApiKey(c.env, tenant, scopes);
    if (!issued) throw notFound(tenant);
    return c.json(issued, 201);
  })
  /** Seals every stored secret again with the first key of RELAY_MASTER_KEY; then older keys can be removed. */
  .post("/admin/v1/master-key/rotate", async (c) => {
    const body: MasterKeyRotated = await written(c, (r) => r.rotateMasterKey());
    return c.json(body);
  })
  .delete("/admin/v1/tenants/:id/api-keys/:keyId", async (c) => {
    const { id, keyId } = c.req.param();
    if (!(await revokeApiKey(c.env, id, keyId))) throw new ProblemError(404, "api_key_not_found", `Tenant '${id}' has no API key '${keyId}'.`);
    return c.body(null, 204);
  });
