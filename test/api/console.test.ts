/**
 * What a console reads, over HTTP: messages across shards page by page, an endpoint's delivery attempts,
 * traffic statistics for a tenant and for the operator, who a credential is, and an operator acting as a
 * tenant with `X-Relay-Tenant` (never a tenant as another).
 */
import { SELF } from "cloudflare:test";
import { SignJWT } from "jose";
import type { Delivery, Stats } from "../../src/api/console-schemas";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { ADMIN_KEY, JWT_SECRET, TEST_KEYS } from "../support/constants";
import { control, eventually } from "../support/http";
import type { BackendEvents } from "../support/sandbox-types";
import { ALL_SCOPES, call, customerWrites, newTenant, send, whatsappAccount } from "../support/tenants";

interface MessageView {
  id: string;
  status: string;
  reference?: string;
  createdAt: string;
  conversation: { account: string; peer: string };
  history: { status: string }[];
}
interface Page<T> {
  items: T[];
  next?: string;
}

const json = async <T>(res: Response, status = 200): Promise<T> => {
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as T;
};

/** A WhatsApp account on the in-test Worker's own container, which answers sends and posts no statuses. */
function poolAccount(id: string) {
  const pool = (JSON.parse(inject("relayConfig")) as { tenants: { accounts: { container: { origin: string } }[] }[] }).tenants[0]!.accounts[0]!.container.origin;
  const account = whatsappAccount(id);
  return { ...account, container: { ...account.container, origin: pool } };
}

/** Every item of a list, page after page of `limit`; fails on a repeated item. */
async function everyPage<T extends { id?: string; eventId?: string; at?: string }>(path: string, key: string, limit: number, id: (t: T) => string): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await json<Page<T>>(await call(`${path}${path.includes("?") ? "&" : "?"}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`, { key }));
    expect(page.items.length).toBeLessThanOrEqual(limit);
    all.push(...page.items);
    cursor = page.next;
    if (!cursor) break;
  }
  expect(new Set(all.map(id)).size, "no item twice").toBe(all.length);
  return all;
}

const sum = (s: Stats, what: keyof Stats["minutes"][number]) => s.minutes.reduce((n, m) => n + (m[what] as number), 0);

/**
 * One tenant's traffic: a customer writes three times (the endpoint fails the first delivery once with
 * 503), and the tenant sends seven messages to four customers, all of which the container takes.
 */
const scene = {} as {
  tenant: string;
  key: string;
  account: string;
  endpointPath: string;
  peers: string[];
  sent: string[];
};

beforeAll(async () => {
  const { id: tenant, key } = await newTenant();
  const account = poolAccount(`wa-${tenant}`);
  expect((await send("/v1/accounts", account, key)).status).toBe(201);
  const endpointPath = `/console/${tenant}`;
  const created = await json<{ secret: string }>(await send("/v1/endpoints", { id: "main", url: `${inject("backendUrl")}${endpointPath}` }, key), 201);
  await control("backendUrl", "/_sandbox/secrets", { path: endpointPath, secret: created.secret });
  await control("backendUrl", "/_sandbox/faults", { status: 503, path: endpointPath, count: 1 });
  for (const [i, text] of ["hello", "where is my order?", "thanks"].entries()) {
    expect((await customerWrites(account.id, account.webhook.secret, `4915200000${i}`, text)).status).toBe(200);
  }
  const peers = ["4915300000001", "4915300000002", "4915300000003", "4915300000004"];
  const sent: string[] = [];
  for (let i = 0; i < 7; i++) {
    const body = { to: peers[i % 4], account: account.id, content: { type: "text", text: `note ${i}` }, reference: i === 2 || i === 5 ? "shared" : `ref-${i}` };
    sent.push((await json<{ id: string }>(await send("/v1/messages", body, key), 202)).id);
  }
  Object.assign(scene, { tenant, key, account: account.id, endpointPath, peers, sent });
  // Everything settles: every message sent, every event (3 customer events, 7 statuses) delivered.
  await eventually(async () => {
    const page = await json<Page<MessageView>>(await call(`/v1/messages?status=sent&limit=200`, { key }));
    return page.items.length === sent.length && !page.next ? true : undefined;
  }, 20_000, "every message sent");
  await eventually(async () => {
    const events = (await control<BackendEvents>("backendUrl", "/_sandbox/events")).events.filter((e) => e.path === endpointPath);
    return events.length === 10 ? true : undefined;
  }, 20_000, "every event delivered");
}, 60_000);

describe("GET /v1/messages", () => {
  it("pages through every message newest first, each as GET /v1/messages/{id} answers it, without skip or repeat", async () => {
    const { key, sent } = scene;
    const all = await everyPage<MessageView>("/v1/messages", key, 2, (r) => r.id);
    expect(all.map((r) => r.id).sort()).toEqual([...sent].sort());
    const times = all.map((r) => Date.parse(r.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const r of all.slice(0, 3)) expect(r).toEqual(await json<MessageView>(await call(`/v1/messages/${r.id}`, { key })));
    expect(all[0]!.history.map((h) => h.status)).toEqual(["queued", "sent"]);
  });

  it("filters by recipient (as a send names it), reference, status, account and acceptance time", async () => {
    const { key, sent, peers, account } = scene;
    const list = async (query: string) => (await everyPage<MessageView>(`/v1/messages?${query}`, key, 3, (r) => r.id)).map((r) => r.id);
    const byRecipient = await list(`to=${encodeURIComponent(`+${peers[0]}`)}`);
    expect(byRecipient.sort()).toEqual([sent[0], sent[4]].sort());
    expect((await list("reference=shared")).sort()).toEqual([sent[2], sent[5]].sort());
    expect(await list("reference=ref-6")).toEqual([sent[6]]);
    expect(await list(`status=failed`)).toEqual([]);
    expect((await list(`status=sent&account=${account}`)).sort()).toEqual([...sent].sort());
    const all = await everyPage<MessageView>("/v1/messages", key, 200, (r) => r.id);
    const pivot = all[3]!.createdAt;
    const since = all.filter((r) => r.createdAt >= pivot).map((r) => r.id);
    const until = all.filter((r) => r.createdAt < pivot).map((r) => r.id);
    expect((await list(`since=${pivot}`)).sort()).toEqual(since.sort());
    expect((await list(`until=${pivot}`)).sort()).toEqual(until.sort());
    expect(since.length + until.length).toBe(sent.length);
    expect(await list(`to=${peers[1]}&reference=ref-5`)).toEqual([]);
  });

  it("keeps tenants apart, and names an account of another tenant as unknown", async () => {
    const other = await newTenant();
    expect((await json<Page<MessageView>>(await call("/v1/messages", { key: other.key }))).items).toEqual([]);
    const res = await call(`/v1/messages?account=${scene.account}`, { key: other.key });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: "unknown_account" });
    // acme's own messages do not include this tenant's.
    const acme = await json<Page<MessageView>>(await call(`/v1/messages?to=${scene.peers[0]}&limit=200`, { key: TEST_KEYS.acme }));
    expect(acme.items.filter((r) => scene.sent.includes(r.id))).toEqual([]);
  });
});

describe("GET /v1/endpoints/{id}/deliveries", () => {
  it("lists each attempt newest first, with its status, latency and error, page by page", async () => {
    const { key } = scene;
    const all = await everyPage<Delivery>("/v1/endpoints/main/deliveries", key, 3, (d) => `${d.eventId}#${d.attempt}`);
    expect(all).toHaveLength(11);
    const times = all.map((d) => Date.parse(d.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const failed = all.filter((d) => !d.delivered);
    expect(failed).toEqual([expect.objectContaining({ attempt: 1, status: 503, error: "HTTP 503", delivered: false })]);
    const retried = all.find((d) => d.eventId === failed[0]!.eventId && d.attempt === 2);
    expect(retried).toMatchObject({ status: 200, delivered: true });
    expect(retried).not.toHaveProperty("error");
    for (const d of all) expect(d.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("is the tenant's own endpoint's, for endpoints:write", async () => {
    const { key } = scene;
    for (const [path, k, status, code] of [
      ["/v1/endpoints/nope/deliveries", key, 404, "endpoint_not_found"],
      // acme's endpoint is named `default`: not this tenant's.
      ["/v1/endpoints/default/deliveries", key, 404, "endpoint_not_found"],
      ["/v1/endpoints/default/deliveries", TEST_KEYS.acme, 403, "insufficient_scope"],
    ] as const) {
      const res = await call(path, { key: k });
      expect(res.status, path).toBe(status);
      expect(await res.json()).toMatchObject({ code });
    }
    expect((await call("/v1/endpoints/default/deliveries?limit=1", { key: TEST_KEYS.acmeManager })).status).toBe(200);
  });
});

describe("GET /v1/stats", () => {
  it("counts the tenant's traffic per minute, its failures and latency, and what waits", async () => {
    const asked = Date.now();
    const stats = await json<Stats>(await call("/v1/stats?minutes=10", { key: scene.key }));
    expect(stats.minutes).toHaveLength(10);
    expect(Date.parse(stats.to) - Date.parse(stats.from)).toBe(10 * 60_000);
    expect(Date.parse(stats.minutes[9]!.minute)).toBeLessThanOrEqual(Date.now());
    // The window ends with the minute the request was answered in (the answer may come in the next one).
    expect(Date.parse(stats.to)).toBeGreaterThan(asked);
    expect(sum(stats, "messages")).toBe(7);
    expect(sum(stats, "sent")).toBe(7);
    expect(sum(stats, "failed")).toBe(0);
    expect(sum(stats, "received")).toBe(3);
    expect(sum(stats, "delivered")).toBe(10);
    expect(stats.failuresByReason).toEqual({ endpoint_http_5xx: 1 });
    expect(stats.deliveryLatencyMs.p50).toBeGreaterThanOrEqual(0);
    expect(stats.deliveryLatencyMs.p99).toBeGreaterThanOrEqual(stats.deliveryLatencyMs.p50!);
    expect(stats.totals).toEqual({ queued: 0, retrying: 0, dead: 0 });
    expect(stats.byChannel).toEqual({ whatsapp: { messages: 7, sent: 7, failed: 0, received: 3 } });
  });

  it("of a tenant with no traffic are zeros over the minutes asked, 60 by default", async () => {
    const { key } = await newTenant();
    const stats = await json<Stats>(await call("/v1/stats", { key }));
    expect(stats.minutes).toHaveLength(60);
    expect(stats).toMatchObject({ failuresByReason: {}, byChannel: {}, totals: { queued: 0, retrying: 0, dead: 0 }, deliveryLatencyMs: { p50: null, p90: null, p99: null } });
    expect(sum(stats, "messages") + sum(stats, "received") + sum(stats, "delivered")).toBe(0);
  });
});

describe("GET /admin/v1/stats", () => {
  it("answers each tenant's statistics, a page of tenants at a time, to operators only", async () => {
    const { tenant, key } = scene;
    const after = tenant.slice(0, -1);
    const page = await json<{ tenants: (Stats & { tenant: string })[]; next?: string }>(await call(`/admin/v1/stats?minutes=10&limit=1&after=${after}`));
    expect(page.tenants.map((t) => t.tenant)).toEqual([tenant]);
    expect(page.next).toBe(tenant);
    const own = await json<Stats>(await call("/v1/stats?minutes=10", { key }));
    const [theirs] = page.tenants;
    expect({ totals: theirs!.totals, byChannel: theirs!.byChannel, failuresByReason: theirs!.failuresByReason }).toEqual({
      totals: own.totals,
      byChannel: own.byChannel,
      failuresByReason: own.failuresByReason,
    });
    expect(sum(theirs!, "delivered")).toBe(sum(own, "delivered"));
    expect((await call("/admin/v1/stats", { key })).status).toBe(401);
    expect((await call("/admin/v1/stats?limit=101")).status).toBe(422);
  });
});

/** A JWT of the test issuer. */
const jwt = (claims: { sub: string; scope: string }) =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setIssuer("test-issuer").setIssuedAt().setExpirationTime("5m").sign(new TextEncoder().encode(JWT_SECRET));

/** GETs with a credential and an `X-Relay-Tenant` header. */
const acting = (path: string, key: string, tenant: string) =>
  SELF.fetch(`https://relay.test${path}`, { headers: { authorization: `Bearer ${key}`, "x-relay-tenant": tenant } });

describe("X-Relay-Tenant", () => {
  it("lets an operator see and act as a tenant, with every scope", async () => {
    const { tenant, key, sent } = scene;
    const asOperator = await json<Page<MessageView>>(await acting("/v1/messages?limit=200", ADMIN_KEY, tenant));
    const asTenant = await json<Page<MessageView>>(await call("/v1/messages?limit=200", { key }));
    expect(asOperator.items.map((r) => r.id)).toEqual(asTenant.items.map((r) => r.id));
    expect(asOperator.items.map((r) => r.id).sort()).toEqual([...sent].sort());
    expect(await json(await acting("/v1/me", ADMIN_KEY, tenant))).toEqual({ tenant, scopes: ALL_SCOPES, via: "operator" });
    expect((await acting("/v1/endpoints/main/deliveries?limit=1", ADMIN_KEY, tenant)).status).toBe(200);
    const admin = await jwt({ sub: "operator", scope: "admin" });
    expect(await json(await acting("/v1/me", admin, tenant))).toEqual({ tenant, scopes: ALL_SCOPES, via: "operator" });
  });

  it("refuses a tenant's credential that names another tenant, and a tenant that does not exist", async () => {
    const { tenant, key } = scene;
    const cases: [string, string, number, string][] = [
      [key, "acme", 403, "operator_required"],
      [TEST_KEYS.acme, tenant, 403, "operator_required"],
      [await jwt({ sub: "acme", scope: "messages:read" }), tenant, 403, "operator_required"],
      [ADMIN_KEY, "t-does-not-exist", 404, "tenant_not_found"],
      [ADMIN_KEY, "../acme", 404, "tenant_not_found"],
      ["not-a-key", tenant, 401, "invalid_api_key"],
    ];
    for (const [credential, named, status, code] of cases) {
      const res = await acting("/v1/messages", credential, named);
      expect(res.status, `${credential.slice(0, 12)} as ${named}`).toBe(status);
      expect(await res.json()).toMatchObject({ code });
    }
    // Naming its own tenant changes nothing; an operator without the header is no tenant.
    expect(await json(await acting("/v1/me", key, tenant))).toMatchObject({ tenant, via: "api_key" });
    expect((await call("/v1/me")).status).toBe(401);
  });
});

describe("who a credential is", () => {
  it("GET /v1/me answers the tenant, scopes and how it authenticated; GET /admin/v1/me an operator", async () => {
    expect(await json(await call("/v1/me", { key: TEST_KEYS.acmeReadOnly }))).toEqual({ tenant: "acme", scopes: ["messages:read"], via: "api_key" });
    expect(await json(await call("/v1/me", { key: await jwt({ sub: "acme", scope: "messages:send" }) }))).toEqual({ tenant: "acme", scopes: ["messages:send"], via: "jwt" });
    expect(await json(await call("/admin/v1/me"))).toEqual({ operator: true });
    expect((await call("/admin/v1/me", { key: TEST_KEYS.acme })).status).toBe(401);
    expect((await call("/v1/me", { key: "nope" })).status).toBe(401);
  });
});
