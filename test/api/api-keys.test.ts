/** A tenant's own API keys (`/v1/api-keys`, scope `keys:write`). */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ADMIN_KEY, TEST_KEYS } from "../support/constants";

const BASE = "https://relay.test";
const call = (path: string, key: string, init: RequestInit = {}) =>
  SELF.fetch(BASE + path, { ...init, headers: { authorization: `Bearer ${key}`, ...(init.body !== undefined && { "content-type": "application/json" }) } });

interface Issued {
  id: string;
  key: string;
  scopes: string[];
}

async function tenantWithManager(): Promise<{ tenant: string; manager: Issued }> {
  const tenant = `k-${crypto.randomUUID().slice(0, 8)}`;
  expect((await call("/admin/v1/tenants", ADMIN_KEY, { method: "POST", body: JSON.stringify({ id: tenant, name: tenant }) })).status).toBe(201);
  const res = await call(`/admin/v1/tenants/${tenant}/api-keys`, ADMIN_KEY, { method: "POST", body: JSON.stringify({ scopes: ["keys:write", "messages:read"] }) });
  return { tenant, manager: (await res.json()) as Issued };
}

describe("self-service API keys", () => {
  it("need keys:write", async () => {
    for (const key of [TEST_KEYS.acme, TEST_KEYS.acmeReadOnly]) {
      const res = await call("/v1/api-keys", key, { method: "POST", body: "{}" });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: "insufficient_scope", requiredScope: "keys:write" });
    }
  });

  it("issue keys with at most the scopes of the key that asks, shown once", async () => {
    const { manager } = await tenantWithManager();
    const res = await call("/v1/api-keys", manager.key, { method: "POST", body: JSON.stringify({ scopes: ["messages:read"] }) });
    expect(res.status).toBe(201);
    const reader = (await res.json()) as Issued;
    expect(reader.scopes).toEqual(["messages:read"]);
    expect((await call("/v1/dead-letters", reader.key)).status).toBe(200);
    const beyond = await call("/v1/api-keys", manager.key, { method: "POST", body: JSON.stringify({ scopes: ["messages:send"] }) });
    expect(beyond.status).toBe(403);
    expect(((await beyond.json()) as { detail: string }).detail).toMatch(/lacks messages:send/);
    const unknown = await call("/v1/api-keys", manager.key, { method: "POST", body: JSON.stringify({ scopes: ["everything"] }) });
    expect(unknown.status).toBe(422);
  });

  it("list the tenant's keys with lastUsedAt and never the key, and revoke one", async () => {
    const { manager } = await tenantWithManager();
    const reader = (await (await call("/v1/api-keys", manager.key, { method: "POST", body: JSON.stringify({ scopes: ["messages:read"] }) })).json()) as Issued;
    expect((await call("/v1/dead-letters", reader.key)).status).toBe(200);
    let listed: { id: string; lastUsedAt?: string; hint: string }[] = [];
    for (let i = 0; i < 50; i++) {
      listed = ((await (await call("/v1/api-keys", manager.key)).json()) as { items: typeof listed }).items;
      if (listed.find((k) => k.id === reader.id)?.lastUsedAt) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(listed.map((k) => k.id).sort()).toEqual([manager.id, reader.id].sort());
    expect(listed.find((k) => k.id === reader.id)).toMatchObject({ hint: `…${reader.key.slice(-4)}`, lastUsedAt: expect.any(String) });
    expect(JSON.stringify(listed)).not.toContain(reader.key);

    expect((await call(`/v1/api-keys/${reader.id}`, manager.key, { method: "DELETE" })).status).toBe(204);
    expect((await call("/v1/dead-letters", reader.key)).status).toBe(401);
    expect((await call(`/v1/api-keys/${reader.id}x`, manager.key, { method: "DELETE" })).status).toBe(404);
  });

  it("never reach another tenant's keys", async () => {
    const a = await tenantWithManager();
    const b = await tenantWithManager();
    expect((await call(`/v1/api-keys/${b.manager.id}`, a.manager.key, { method: "DELETE" })).status).toBe(404);
    const listed = ((await (await call("/v1/api-keys", a.manager.key)).json()) as { items: { id: string }[] }).items;
    expect(listed.map((k) => k.id)).toEqual([a.manager.id]);
  });
});
