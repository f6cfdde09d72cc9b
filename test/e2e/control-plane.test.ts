/**
 * The control plane end to end, as a provider walks it against the relay on workerd over HTTP: an
 * operator signs up 150 tenants; the last one connects a WhatsApp number and an endpoint, gets a key,
 * sends the seed's message and receives its customer's reply signed with the secret it was shown once.
 */
import { Webhook } from "standardwebhooks";
import { describe, expect, inject, it } from "vitest";
import { ACCESS, ADMIN_KEY, CONTAINER_LOGIN } from "../support/constants";
import { control, eventually, newPeer, relay } from "../support/http";
import type { BackendEvents } from "../support/sandbox-types";

const TENANTS = 150;
const json = (body: unknown) => ({ method: "POST", body: JSON.stringify(body) });

describe("a provider's walk through the control plane", () => {
  it("150 tenants; the last connects a number and an endpoint, sends, receives, and loses a revoked key", async () => {
    const prefix = `walk-${crypto.randomUUID().slice(0, 6)}`;
    const ids = Array.from({ length: TENANTS }, (_, i) => `${prefix}-${String(i).padStart(3, "0")}`);
    for (let i = 0; i < ids.length; i += 10) {
      const created = await Promise.all(ids.slice(i, i + 10).map((id) => relay("/admin/v1/tenants", { ...json({ id, name: `Business ${id}` }), key: ADMIN_KEY })));
      for (const res of created) expect(res.status).toBe(201);
    }
    const listed = (await (await relay(`/admin/v1/tenants?limit=1000&after=${prefix}`, { key: ADMIN_KEY })).json()) as { items: { id: string }[] };
    expect(listed.items.filter((t) => t.id.startsWith(prefix))).toHaveLength(TENANTS);

    const tenant = ids[TENANTS - 1]!;
    const issued = await relay(`/admin/v1/tenants/${tenant}/api-keys`, {
      ...json({ scopes: ["messages:send", "messages:read", "accounts:write", "endpoints:write", "keys:write"] }),
      key: ADMIN_KEY,
    });
    expect(issued.status).toBe(201);
    const { key, id: keyId } = (await issued.json()) as { key: string; id: string };

    const account = {
      id: `${tenant}-wa`,
      channel: "whatsapp",
      default: true,
      // The relay joined a number already in use: it has not seen the customers write (advise, not enforce).
      windowPolicy: "advise",
      container: { origin: inject("containerUrl"), transport: { type: "access", ...ACCESS }, ...CONTAINER_LOGIN, timeoutMs: 3000 },
      webhook: { secret: `walk-webhook-secret-${crypto.randomUUID()}` },
    };
    const connected = await relay("/v1/accounts", { ...json(account), key });
    expect(connected.status).toBe(201);
    const { webhookUrl } = (await connected.json()) as { webhookUrl: string };
    expect(webhookUrl).toBe(`${inject("relayUrl")}/webhooks/whatsapp/${account.id}`);

    const path = `/walk/${tenant}`;
    const endpoint = await relay("/v1/endpoints", { ...json({ url: `${inject("backendUrl")}${path}` }), key });
    expect(endpoint.status).toBe(201);
    const { secret, id: endpointId } = (await endpoint.json()) as { secret: string; id: string };
    await control("backendUrl", "/_sandbox/secrets", { path, secret });

    // The seed's message, with the new tenant's key.
    const sent = await relay("/api/v7/chat", { ...json({ id: "49123123456", message: "Hello world!" }), key });
    expect(sent.status).toBe(202);
    const { id: messageId } = (await sent.json()) as { id: string };
    const status = await eventually(async () => {
      const record = (await (await relay(`/v1/messages/${messageId}`, { key })).json()) as { status: string };
      return ["sent", "delivered", "read"].includes(record.status) ? record.status : undefined;
    }, 15_000, "the message to reach sent");
    expect(["sent", "delivered", "read"]).toContain(status);

    // The customer answers through the account's webhook URL; the endpoint receives it, signed with its secret.
    const from = newPeer();
    const reply = await fetch(`${webhookUrl}?secret=${encodeURIComponent(account.webhook.secret)}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        contacts: [{ profile: { name: "Customer" }, wa_id: from }],
        messages: [{ from, id: `ABGG${crypto.randomUUID()}`, timestamp: "1700000000", type: "text", text: { body: "Hi back" } }],
      }),
    });
    expect(reply.status).toBe(200);
    const delivered = await eventually(async () => {
      const { events } = await control<BackendEvents>("backendUrl", "/_sandbox/events");
      return events.find((e) => e.path === path && e.payload.type === "message.received");
    }, 15_000, "the reply at the tenant's endpoint");
    expect(new Webhook(secret).verify(delivered.raw, delivered.signature)).toMatchObject({
      type: "message.received",
      conversation: { tenant, account: account.id, peer: from },
    });

    // No answer ever shows a secret or a key again.
    const reads = await Promise.all(
      ["/v1/accounts", `/v1/accounts/${account.id}`, "/v1/endpoints", `/v1/endpoints/${endpointId}`, "/v1/api-keys"].map((p) => relay(p, { key })),
    );
    reads.push(await relay(`/admin/v1/tenants/${tenant}`, { key: ADMIN_KEY }));
    for (const res of reads) {
      expect(res.status).toBe(200);
      const text = await res.text();
      for (const hidden of [account.webhook.secret, CONTAINER_LOGIN.password, ACCESS.clientSecret, secret.slice(6), key]) expect(text).not.toContain(hidden);
    }

    // A revoked key is refused within the registry's staleness bound (30 s).
    expect((await relay(`/admin/v1/tenants/${tenant}/api-keys/${keyId}`, { method: "DELETE", key: ADMIN_KEY })).status).toBe(204);
    const refused = await eventually(async () => {
      const res = await relay("/v1/accounts", { key });
      return res.status === 401 ? res : undefined;
    }, 35_000, "the revoked key to be refused");
    expect(await refused.json()).toMatchObject({ code: "invalid_api_key" });
  }, 90_000);
});
