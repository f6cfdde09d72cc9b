import { SELF } from "cloudflare:test";
import { expect, inject } from "vitest";
import { ACCESS, ADMIN_KEY, CONTAINER_LOGIN } from "./constants";

const BASE = "https://relay.test";

/** Calls the in-test Worker, as the operator unless a key is given; JSON bodies are typed as such. */
export function call(path: string, init: RequestInit & { key?: string } = {}): Promise<Response> {
  return SELF.fetch(BASE + path, {
    ...init,
    headers: { authorization: `Bearer ${init.key ?? ADMIN_KEY}`, ...(init.body !== undefined && { "content-type": "application/json" }) },
  });
}

/** POSTs (or another method) a JSON body. */
export const send = (path: string, body: unknown, key?: string, method = "POST") => call(path, { method, body: JSON.stringify(body), ...(key && { key }) });

export const ALL_SCOPES = ["messages:send", "messages:read", "accounts:write", "endpoints:write", "keys:write"];

/** A new tenant of the registry with a key of the given scopes (all by default). */
export async function newTenant(scopes = ALL_SCOPES): Promise<{ id: string; key: string }> {
  const id = `t-${crypto.randomUUID().slice(0, 8)}`;
  expect((await send("/admin/v1/tenants", { id, name: `Tenant ${id}` })).status).toBe(201);
  const res = await send(`/admin/v1/tenants/${id}/api-keys`, { scopes });
  expect(res.status).toBe(201);
  return { id, key: ((await res.json()) as { key: string }).key };
}

/** A WhatsApp account on the test container, with its webhook secret. */
export function whatsappAccount(id: string, webhookSecret = `wh-${crypto.randomUUID()}`) {
  return {
    id,
    channel: "whatsapp",
    // These accounts write first to customers they never heard from (the relay joined the number late).
    windowPolicy: "advise",
    container: { origin: inject("containerUrl"), transport: { type: "access", ...ACCESS }, ...CONTAINER_LOGIN, timeoutMs: 3000 },
    webhook: { secret: webhookSecret },
  };
}

/** Posts a customer's text message to a WhatsApp account's webhook, as the container does. */
export function customerWrites(accountId: string, webhookSecret: string, from: string, text: string, messageId = `ABGG${crypto.randomUUID()}`) {
  const body = JSON.stringify({
    contacts: [{ profile: { name: "Customer" }, wa_id: from }],
    messages: [{ from, id: messageId, timestamp: "1700000000", type: "text", text: { body: text } }],
  });
  return SELF.fetch(`${BASE}/webhooks/whatsapp/${accountId}?secret=${encodeURIComponent(webhookSecret)}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
}
