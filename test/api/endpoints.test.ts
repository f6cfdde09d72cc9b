/**
 * The tenant's endpoints (`/v1/endpoints`): several per tenant with filters, each its own outbox and
 * state, the signing secret shown once and rotated with a day of overlap, dead letters per endpoint.
 */
import { describe, expect, inject, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { control, eventually } from "../support/http";
import type { BackendEvent, BackendEvents } from "../support/sandbox-types";
import { call, customerWrites, newTenant, send, whatsappAccount } from "../support/tenants";

interface Created {
  id: string;
  secret: string;
  secretHint: string;
  url: string;
}

/** Creates an endpoint at a backend path that verifies with the endpoint's own secret. */
async function endpointAt(key: string, path: string, extra: Record<string, unknown> = {}): Promise<Created> {
  const res = await send("/v1/endpoints", { url: `${inject("backendUrl")}${path}`, ...extra }, key);
  expect(res.status).toBe(201);
  const created = (await res.json()) as Created;
  await control("backendUrl", "/_sandbox/secrets", { path, secret: created.secret });
  return created;
}

const eventsAt = async (path: string): Promise<BackendEvent[]> => (await control<BackendEvents>("backendUrl", "/_sandbox/events")).events.filter((e) => e.path === path);

describe("endpoints", () => {
  it("are created with a secret shown once, never again, and refuse bad settings clearly", async () => {
    const { id: tenant, key } = await newTenant();
    const created = await endpointAt(key, `/ep/${tenant}/a`, { id: "primary", description: "orders", eventTypes: ["message.received"] });
    expect(created).toMatchObject({ id: "primary", secretHint: `…${created.secret.slice(-4)}`, eventTypes: ["message.received"], timeoutMs: 15000 });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const shown = [await (await call("/v1/endpoints", { key })).text(), await (await call("/v1/endpoints/primary", { key })).text()];
    for (const text of shown) expect(text).not.toContain(created.secret.slice(6));
    expect(JSON.parse(shown[1]!)).toMatchObject({ id: "primary", state: "enabled", events: {} });

    const refusals: [unknown, number, string][] = [
      [{ url: "http://10.0.0.5/hook" }, 422, "url_refused"],
      [{ url: "not a url" }, 422, "validation_failed"],
      [{ url: `${inject("backendUrl")}/x`, eventTypes: ["message.sent"] }, 422, "validation_failed"],
      [{ url: `${inject("backendUrl")}/x`, accounts: ["wa-acme"] }, 422, "unknown_account"],
      [{ url: `${inject("backendUrl")}/x`, secret: "whsec_mine" }, 422, "validation_failed"],
      [{ url: `${inject("backendUrl")}/x`, id: "primary" }, 409, "endpoint_exists"],
    ];
    for (const [body, status, code] of refusals) {
      const res = await send("/v1/endpoints", body, key);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(await res.json()).toMatchObject({ code });
    }
    for (const res of [await call("/v1/endpoints/nope", { key }), await call("/v1/endpoints/nope/rotate-secret", { key, method: "POST" })]) {
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: "endpoint_not_found" });
    }
    // Another tenant's endpoint does not exist for this one.
    expect((await call("/v1/endpoints/default", { key })).status).toBe(404);
  });

  it("each receive what their filters admit, from their own outbox", async () => {
    const { id: tenant, key } = await newTenant();
    const a = whatsappAccount(`wa-a-${tenant}`);
    const b = whatsappAccount(`wa-b-${tenant}`);
    for (const account of [a, b]) expect((await send("/v1/accounts", account, key)).status).toBe(201);
    await endpointAt(key, `/ep/${tenant}/only-a`, { accounts: [a.id] });
    await endpointAt(key, `/ep/${tenant}/statuses`, { eventTypes: ["message.status"] });
    await endpointAt(key, `/ep/${tenant}/all`);

    expect((await customerWrites(a.id, a.webhook.secret, "4915100000001", "to a")).status).toBe(200);
    expect((await customerWrites(b.id, b.webhook.secret, "4915100000002", "to b")).status).toBe(200);
    const all = await eventually(async () => {
      const events = await eventsAt(`/ep/${tenant}/all`);
      return events.length === 2 ? events : undefined;
    }, 10_000, "both messages at the unfiltered endpoint");
    expect(all.map((e) => e.payload.conversation.account).sort()).toEqual([a.id, b.id].sort());
    const onlyA = await eventually(async () => {
      const events = await eventsAt(`/ep/${tenant}/only-a`);
      return events.length > 0 ? events : undefined;
    }, 10_000, "a's message at the filtered endpoint");
    expect(onlyA.map((e) => e.payload.conversation.account)).toEqual([a.id]);
    expect(await eventsAt(`/ep/${tenant}/statuses`)).toEqual([]);
  });

  it("rotate their secret: for a day deliveries carry both signatures, so either secret verifies", async () => {
    const { id: tenant, key } = await newTenant();
    const wa = whatsappAccount(`wa-${tenant}`);
    await send("/v1/accounts", wa, key);
    const path = `/ep/${tenant}/rotating`;
    const before = await endpointAt(key, path, { id: "rotating" });
    const res = await call("/v1/endpoints/rotating/rotate-secret", { key, method: "POST" });
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as Created & { previousSecretExpiresAt: string };
    expect(rotated.secret).not.toBe(before.secret);
    const overlap = Date.parse(rotated.previousSecretExpiresAt) - Date.now();
    expect(overlap).toBeGreaterThan(23 * 3600_000);
    expect(overlap).toBeLessThanOrEqual(24 * 3600_000);
    expect(await (await call("/v1/endpoints/rotating", { key })).text()).not.toContain(rotated.secret.slice(6));

    // The backend still verifies with the old secret: the delivery must carry a signature it knows.
    expect((await customerWrites(wa.id, wa.webhook.secret, "4915100000003", "after rotation")).status).toBe(200);
    const delivered = await eventually(async () => {
      const events = await eventsAt(path);
      return events[0];
    }, 10_000, "the delivery after rotation");
    expect(delivered.signature["webhook-signature"]?.split(" ")).toHaveLength(2);
    for (const secret of [before.secret, rotated.secret]) {
      expect(new Webhook(secret).verify(delivered.raw, delivered.signature)).toMatchObject({ type: "message.received" });
    }
  });

  it("are enabled again with recovery, list their own dead letters, and are deleted with their outbox", async () => {
    const { id: tenant, key } = await newTenant();
    const wa = whatsappAccount(`wa-${tenant}`);
    await send("/v1/accounts", wa, key);
    const path = `/ep/${tenant}/gone`;
    await endpointAt(key, path, { id: "gone" });
    await control("backendUrl", "/_sandbox/faults", { status: 410, path, count: 1 });
    expect((await customerWrites(wa.id, wa.webhook.secret, "4915100000004", "anyone?")).status).toBe(200);
    await eventually(async () => {
      const s = (await (await call("/v1/endpoints/gone", { key })).json()) as { state: string };
      return s.state === "disabled" ? s : undefined;
    }, 10_000, "the endpoint disabled by 410 Gone");
    const letters = (await (await call("/v1/endpoints/gone/dead-letters", { key })).json()) as { items: { id: string; kind: string }[] };
    expect(letters.items).toEqual([expect.objectContaining({ kind: "event" })]);
    const all = (await (await call("/v1/dead-letters", { key })).json()) as { items: { id: string; endpoint?: string }[] };
    expect(all.items).toEqual([expect.objectContaining({ id: letters.items[0]!.id, endpoint: "gone" })]);

    const enabled = await send("/v1/endpoints/gone/enable", { since: new Date(Date.now() - 60_000).toISOString() }, key);
    expect(enabled.status).toBe(200);
    await eventually(async () => ((await eventsAt(path)).length === 1 ? true : undefined), 10_000, "the kept event delivered");

    expect((await call("/v1/endpoints/gone", { key, method: "DELETE" })).status).toBe(204);
    expect((await call("/v1/endpoints/gone", { key })).status).toBe(404);
    // With no endpoint left, the tenant's events are not acknowledged: the platform delivers them again later.
    const refused = await customerWrites(wa.id, wa.webhook.secret, "4915100000005", "nobody home");
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ code: "no_endpoint" });
  });

  it("are at most 20 per tenant", async () => {
    const { id: tenant, key } = await newTenant();
    const created = await Promise.all(Array.from({ length: 21 }, (_, i) => send("/v1/endpoints", { id: `e${i}`, url: `${inject("backendUrl")}/ep/${tenant}/${i}` }, key)));
    expect(created.filter((r) => r.status === 201)).toHaveLength(20);
    const refused = created.find((r) => r.status !== 201)!;
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ code: "endpoint_limit" });
  });

  it("need endpoints:write, and are patched as merge patches", async () => {
    const { key: reader } = await newTenant(["messages:read"]);
    expect((await call("/v1/endpoints", { key: reader })).status).toBe(403);
    const { id: tenant, key } = await newTenant();
    await endpointAt(key, `/ep/${tenant}/p`, { id: "p", eventTypes: ["message.status"], description: "x" });
    const patched = await send("/v1/endpoints/p", { eventTypes: null, timeoutMs: 5000, description: null }, key, "PATCH");
    expect(patched.status).toBe(200);
    const body = (await patched.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id: "p", timeoutMs: 5000 });
    expect(body).not.toHaveProperty("eventTypes");
    expect(body).not.toHaveProperty("description");
    const bad = await send("/v1/endpoints/p", { url: "ftp://x" }, key, "PATCH");
    expect(bad.status).toBe(422);
  });
});
