import { runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { outboxOf } from "../support/outboxes";
import { TEST_KEYS } from "../support/constants";

const peer = () => `49${Math.floor(1e9 + Math.random() * 9e9)}`;

function send(path: string, body: unknown, key?: string, apiKey = TEST_KEYS.acme) {
  return SELF.fetch(`https://relay.test${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", ...(key && { "idempotency-key": key }) },
    body: JSON.stringify(body),
  });
}

/** How many messages the conversation with this peer holds. */
function queuedFor(to: string): Promise<number> {
  const address = { tenant: "acme", channel: "whatsapp", account: "wa-acme", peer: to } as const;
  return runInDurableObject(outboxOf(address), (_, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM messages WHERE peer = ?", to).one().n);
}

describe("Idempotency-Key", () => {
  it("the same key and body answer the original message id, and queue one message", async () => {
    const to = peer();
    const key = crypto.randomUUID();
    const first = await send("/api/v7/chat", { id: to, message: "once" }, key);
    expect(first.status).toBe(202);
    const second = await send("/api/v7/chat", { message: "once", id: to }, key);
    expect(second.status).toBe(202);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(((await second.json()) as { id: string }).id).toBe(((await first.json()) as { id: string }).id);
    expect(await queuedFor(to)).toBe(1);
  });

  it("the same key with another body is 422 idempotency_key_reused", async () => {
    const key = crypto.randomUUID();
    const to = peer();
    expect((await send("/v1/messages", { to, content: { type: "text", text: "a" } }, key)).status).toBe(202);
    const reused = await send("/v1/messages", { to, content: { type: "text", text: "b" } }, key);
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { code: string }).code).toBe("idempotency_key_reused");
    // The same body on the other route is another request too.
    expect((await send("/api/v7/chat", { id: to, message: "a" }, key)).status).toBe(422);
    expect(await queuedFor(to)).toBe(1);
  });

  it("is safe under concurrent retries of the same request", async () => {
    const to = peer();
    const key = crypto.randomUUID();
    const answers = await Promise.all(Array.from({ length: 8 }, () => send("/api/v7/chat", { id: to, message: "race" }, key)));
    const ids = await Promise.all(answers.map(async (a) => (expect(a.status).toBe(202), ((await a.json()) as { id: string }).id)));
    expect(new Set(ids).size).toBe(1);
    expect(await queuedFor(to)).toBe(1);
  });

  it("keys belong to one tenant: another tenant's same key is its own", async () => {
    const key = crypto.randomUUID();
    const a = await send("/api/v7/chat", { id: peer(), message: "x" }, key);
    const b = await send("/api/v7/chat", { id: peer(), message: "x" }, key, TEST_KEYS.globex);
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(((await a.json()) as { id: string }).id).not.toBe(((await b.json()) as { id: string }).id);
  });

  it("refuses a malformed key with 400", async () => {
    const res = await send("/api/v7/chat", { id: peer(), message: "x" }, "has spaces in it");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe("invalid_idempotency_key");
  });
});
