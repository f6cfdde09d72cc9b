/**
 * The operator API and the registry behind it: tenants created at runtime, keys issued once and revoked,
 * suspension, and the isolate's copy of the registry within its staleness bound.
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/crypto";
import { forgetRegistryView, REGISTRY_STALENESS_MS, registryApiKey } from "../../src/registry/directory";
import { registryOf } from "../../src/registry/registry";
import { ADMIN_KEY, TEST_KEYS } from "../support/constants";

const BASE = "https://relay.test";
const call = (path: string, init: RequestInit & { key?: string } = {}) =>
  SELF.fetch(BASE + path, {
    ...init,
    headers: { authorization: `Bearer ${init.key ?? ADMIN_KEY}`, ...(init.body !== undefined && { "content-type": "application/json" }) },
  });
const newTenantId = () => `t-${crypto.randomUUID().slice(0, 8)}`;

async function createTenant(id = newTenantId()) {
  const res = await call("/admin/v1/tenants", { method: "POST", body: JSON.stringify({ id, name: `Tenant ${id}` }) });
  expect(res.status).toBe(201);
  return id;
}

async function issueKey(tenant: string, scopes?: string[]) {
  const res = await call(`/admin/v1/tenants/${tenant}/api-keys`, { method: "POST", body: JSON.stringify(scopes ? { scopes } : {}) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; key: string; hint: string; scopes: string[] };
}

const chat = (key: string) => call("/api/v7/chat", { method: "POST", key, body: JSON.stringify({ id: "49123123456", message: "Hello world!" }) });

describe("operator API", () => {
  it("answers operators only", async () => {
    expect((await SELF.fetch(`${BASE}/admin/v1/tenants`)).status).toBe(401);
    for (const key of [TEST_KEYS.acme, "not-an-operator"]) {
      const res = await call("/admin/v1/tenants", { key });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    expect((await call("/admin/v1/tenants")).status).toBe(200);
  });

  it("creates, reads, lists, renames and deletes tenants, with clear errors", async () => {
    const id = await createTenant();
    const again = await call("/admin/v1/tenants", { method: "POST", body: JSON.stringify({ id, name: "again" }) });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: "tenant_exists" });
    // A tenant of RELAY_CONFIG is taken too.
    expect((await call("/admin/v1/tenants", { method: "POST", body: JSON.stringify({ id: "acme", name: "x" }) })).status).toBe(409);
    const bad = await call("/admin/v1/tenants", { method: "POST", body: JSON.stringify({ id: "Not A Slug!", name: "" }) });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual(["id", "name"]);

    expect(await (await call(`/admin/v1/tenants/${id}`)).json()).toMatchObject({ id, name: `Tenant ${id}`, status: "active", apiKeys: [] });
    const renamed = await call(`/admin/v1/tenants/${id}`, { method: "PATCH", body: JSON.stringify({ name: "Renamed" }) });
    expect(await renamed.json()).toMatchObject({ id, name: "Renamed" });
    const { items } = (await (await call("/admin/v1/tenants?limit=1000")).json()) as { items: { id: string }[] };
    expect(items.map((t) => t.id)).toContain(id);

    expect((await call(`/admin/v1/tenants/${id}`, { method: "DELETE" })).status).toBe(204);
    const gone = await call(`/admin/v1/tenants/${id}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ code: "tenant_not_found" });
  });

  it("pages through many tenants", async () => {
    const ids = await Promise.all(Array.from({ length: 5 }, () => createTenant()));
    const seen: string[] = [];
    for (let after = ""; ; ) {
      const page = (await (await call(`/admin/v1/tenants?limit=2${after && `&after=${after}`}`)).json()) as { items: { id: string }[]; next?: string };
      seen.push(...page.items.map((t) => t.id));
      if (!page.next) break;
      after = page.next;
    }
    expect(seen).toEqual([...seen].sort());
    for (const id of ids) expect(seen).toContain(id);
  });

  it("issues a key shown once, which then authenticates its tenant and nothing else", async () => {
    const id = await createTenant();
    const issued = await issueKey(id);
    expect(issued.key).toMatch(/^mr_[0-9a-f]{48}$/);
    expect(issued.hint).toBe(`…${issued.key.slice(-4)}`);
    const shown = JSON.stringify(await (await call(`/admin/v1/tenants/${id}`)).json());
    expect(shown).not.toContain(issued.key);
    expect(shown).not.toContain(await sha256Hex(issued.key));
    expect(shown).toContain(issued.id);

    // Authenticated as the new tenant: it has no channel account yet.
    const res = await chat(issued.key);
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: "account_required" });
    expect((await call("/v1/dead-letters", { key: issued.key })).status).toBe(200);
    // Its key is no operator key, and reads another tenant's message as not found.
    expect((await call("/admin/v1/tenants", { key: issued.key })).status).toBe(401);

    const readOnly = await issueKey(id, ["messages:read"]);
    expect((await chat(readOnly.key)).status).toBe(403);
  });

  it("a suspended tenant reads but does not send; resumed, it sends again", async () => {
    const id = await createTenant();
    const { key } = await issueKey(id);
    expect(await (await call(`/admin/v1/tenants/${id}/suspend`, { method: "POST" })).json()).toMatchObject({ status: "suspended" });
    const refused = await chat(key);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "tenant_suspended" });
    expect((await call("/v1/dead-letters", { key })).status).toBe(200);
    await call(`/admin/v1/tenants/${id}/resume`, { method: "POST" });
    expect((await chat(key)).status).toBe(422);
  });

  it("a revoked key, or a deleted tenant's, gets 401", async () => {
    const id = await createTenant();
    const [one, two] = [await issueKey(id), await issueKey(id)];
    expect((await call(`/admin/v1/tenants/${id}/api-keys/${one.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await chat(one.key)).status).toBe(401);
    expect((await call(`/admin/v1/tenants/${id}/api-keys/key_unknown`, { method: "DELETE" })).status).toBe(404);
    expect(await (await call(`/admin/v1/tenants/${id}`)).json()).toMatchObject({ apiKeys: [{ id: one.id, revokedAt: expect.any(String) }, { id: two.id }] });
    await call(`/admin/v1/tenants/${id}`, { method: "DELETE" });
    expect((await chat(two.key)).status).toBe(401);
  });
});

describe("the isolate's copy of the registry", () => {
  it("sees a key revoked elsewhere within the staleness bound, and a new key at once", async () => {
    const registry = registryOf(env);
    const tenant = newTenantId();
    await registry.createTenant(tenant, "elsewhere");
    const hash = await sha256Hex(`key-${tenant}`);
    const now = Date.now();
    // A key issued by another isolate: not in this copy yet, found by refreshing on the miss.
    await registry.createApiKey({ id: "k1", tenant, sha256: hash, scopes: ["messages:send"], hint: "…abcd" });
    expect(await registryApiKey(env, hash, now + 2_000)).toEqual({ id: "k1", tenant, scopes: ["messages:send"] });
    // Revoked by another isolate: this copy keeps it until it is stale, then lets it go.
    await registry.revokeApiKey(tenant, "k1");
    expect(await registryApiKey(env, hash, now + 2_000 + REGISTRY_STALENESS_MS - 1)).toBeDefined();
    expect(await registryApiKey(env, hash, now + 2_000 + REGISTRY_STALENESS_MS + 1)).toBeUndefined();
    forgetRegistryView();
  });
});
