/**
 * Input that once blocked a queue, crashed a request or slipped past a check: each gets its clear 4xx,
 * or its terminal failure, and the conversation moves on.
 */
import { runDurableObjectAlarm, SELF } from "cloudflare:test";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { MAX_INTERNAL_ERRORS } from "../../src/delivery/send-outcome";
import type { OutboundContent } from "../../src/model";
import { endpointTotal, outboxOf } from "../support/outboxes";
import { APPLE_WEBHOOK_PATH, appleToken, gzip, routingHeaders } from "../channels/apple/kit";
import { APPLE_MSP_ID, APPLE_MSP_SECRET } from "../channels/apple/account";
import { TELEGRAM_ACCOUNT_ID, TELEGRAM_SECRET_TOKEN } from "../channels/telegram/account";
import { signedViberRequest } from "../channels/viber/kit";
import { metaSignature } from "../channels/whatsapp-cloud/kit";
import { CLOUD_ACCOUNT_ID } from "../channels/whatsapp-cloud/account";
import { statusBatch } from "../channels/whatsapp-cloud/status-batch";
import { JWT_SECRET, TEST_KEYS } from "../support/constants";
import { newPeer } from "../support/http";

const BASE = "https://relay.test";
const post = (path: string, body: BodyInit, headers: Record<string, string> = {}) =>
  SELF.fetch(BASE + path, { method: "POST", body, headers: { "content-type": "application/json", authorization: `Bearer ${TEST_KEYS.acme}`, ...headers } });

async function problemOf(res: Response) {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return (await res.json()) as { code: string; detail: string };
}

/** `depth` arrays inside each other, around a value: `[[[...1...]]]`. */
const nested = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

describe("content that renders to nothing", () => {
  it.each([" \n ", "\ufeff", "\u200b\u200b", "\u2800", "\t\u00a0\u3000"])("is a 422 before anything is queued (%j)", async (text) => {
    for (const [path, body] of [
      ["/v1/messages", { to: newPeer(), content: { type: "text", text } }],
      ["/api/v7/chat", { id: newPeer(), message: text }],
      ["/v1/messages", { to: newPeer(), content: { type: "buttons", text: "Pick", buttons: [{ id: "a", title: text }] } }],
    ] as const) {
      const res = await post(path, JSON.stringify(body));
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(422);
      const problem = await problemOf(res);
      expect(problem.code).toBe("validation_failed");
      expect(problem.detail).toMatch(/visible character/);
    }
  });
});

describe("a message the relay itself cannot process", () => {
  it(`fails as internal_error after ${MAX_INTERNAL_ERRORS} attempts, and the next message goes out`, async () => {
    const address = { tenant: "acme", channel: "whatsapp", account: "wa-acme", peer: newPeer() } as const;
    const stub = outboxOf(address);
    // Stored as a bug elsewhere might store it: buttons that are not a list make rendering throw.
    await stub.enqueue([
      { address, id: "msg_broken", content: { type: "buttons", text: "Pick", buttons: null } as unknown as OutboundContent },
      { address, id: "msg_after", content: { type: "text", text: "next in line" } },
    ]);
    const status = async (id: string) => ((await stub.message(id, "acme")) as { status: string } | null)?.status;
    for (let i = 0; i < 200 && (await status("msg_after")) === "queued"; i++) {
      await runDurableObjectAlarm(stub);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await stub.message("msg_broken", "acme")).toMatchObject({ status: "failed", attempts: MAX_INTERNAL_ERRORS, error: { reason: "internal_error" } });
    expect(await status("msg_after")).toBe("sent");
  });
});

describe("bounded reads", () => {
  it("JSON nested deeper than the API reads is a 422, with or without an Idempotency-Key", async () => {
    const content = `{"type":"template","name":"t","language":"en","components":[{"x":${nested(5000)}}]}`;
    for (const headers of [{}, { "idempotency-key": `deep-${Date.now()}` }] as Record<string, string>[]) {
      const res = await post("/v1/messages", `{"to":"${newPeer()}","content":${content}}`, headers);
      expect(res.status).toBe(422);
      expect((await problemOf(res)).code).toBe("json_too_deep");
    }
    // Brackets inside strings are text, not depth.
    const res = await post("/v1/messages", JSON.stringify({ to: newPeer(), content: { type: "text", text: "[".repeat(5000) } }));
    expect(res.status).toBe(202);
  });

  it("a deeply nested, correctly signed platform body is a 422, and nothing is stored", async () => {
    const body = `{"update_id":${Date.now()},"message":${nested(3000)}}`;
    const res = await SELF.fetch(`${BASE}/webhooks/telegram/${TELEGRAM_ACCOUNT_ID}`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": TELEGRAM_SECRET_TOKEN },
    });
    expect(res.status).toBe(422);
    expect((await problemOf(res)).code).toBe("json_too_deep");
  });

  it("an Apple body that inflates past the bound is a 413, read no further", async () => {
    const bomb = `{"id":"x","type":"text","body":"${"0".repeat(20 * 1024 * 1024)}"}`;
    const compressed = await gzip(bomb);
    expect(compressed.length).toBeLessThan(64 * 1024);
    const res = await SELF.fetch(BASE + APPLE_WEBHOOK_PATH, {
      method: "POST",
      body: compressed,
      headers: { ...routingHeaders('{"id":"x","sourceId":"urn:mbid:x"}'), "content-type": "application/octet-stream", authorization: `Bearer ${await appleToken()}` },
    });
    expect(res.status).toBe(413);
    expect((await problemOf(res)).code).toBe("body_too_large");
  });

  it("a batch of statuses for as many customers is stored a bounded number at a time, once", async () => {
    const total = () => endpointTotal("acme");
    const before = await total();
    const count = 100;
    const body = statusBatch(count, `wamid.batch-${Date.now()}-`);
    const deliver = async () =>
      SELF.fetch(`${BASE}/webhooks/whatsapp-cloud/${CLOUD_ACCOUNT_ID}`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json", "x-hub-signature-256": await metaSignature(body) },
      });
    expect((await deliver()).status).toBe(200);
    // Other tests of this file may add an event meanwhile: at least the batch, and the redelivery adds nothing.
    const stored = await total();
    expect(stored - before).toBeGreaterThanOrEqual(count);
    expect((await deliver()).status).toBe(200);
    expect(await total()).toBe(stored);
  }, 120_000);
});

describe("claims checked strictly", () => {
  it("a JWT whose sub is not a string is refused, even when it would print as a tenant", async () => {
    for (const sub of [["acme"], 1, { id: "acme" }]) {
      const token = await new SignJWT({ sub, scope: "messages:send" } as Record<string, unknown>)
        .setProtectedHeader({ alg: "HS256" })
        .setIssuer("test-issuer")
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(new TextEncoder().encode(JWT_SECRET));
      const res = await post("/api/v7/chat", JSON.stringify({ id: newPeer(), message: "hi" }), { authorization: `Bearer ${token}` });
      expect(res.status, JSON.stringify(sub)).toBe(401);
      expect((await problemOf(res)).code).toBe("invalid_token");
    }
  });

  it("an Apple token without iat is refused", async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setAudience(APPLE_MSP_ID)
      .sign(Uint8Array.from(atob(APPLE_MSP_SECRET), (c) => c.charCodeAt(0)));
    const json = JSON.stringify({ id: crypto.randomUUID(), type: "text", body: "hi", sourceId: "urn:mbid:AQAAx", destinationId: "x", v: 1 });
    const res = await SELF.fetch(BASE + APPLE_WEBHOOK_PATH, {
      method: "POST",
      body: await gzip(json),
      headers: { ...routingHeaders(json), "content-type": "application/octet-stream", authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(401);
  });

  it("a signed Viber callback without a numeric timestamp is refused", async () => {
    for (const body of [
      JSON.stringify({ event: "message", message_token: 1, sender: { id: "x" }, message: { type: "text", text: "hi" } }),
      JSON.stringify({ event: "message", timestamp: "1700000000000", message_token: 1, sender: { id: "x" }, message: { type: "text", text: "hi" } }),
    ]) {
      const request = await signedViberRequest(body);
      const res = await SELF.fetch(BASE + request.path, { method: "POST", headers: request.headers, body: request.body });
      expect(res.status).toBe(401);
    }
  });
});

describe("hostile queries of the console's lists and statistics", () => {
  const forged = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, "");
  const get = (path: string, key = TEST_KEYS.acmeManager) => SELF.fetch(BASE + path, { headers: { authorization: `Bearer ${key}` } });
  it.each([
    ["/v1/messages?limit=0", 422, "validation_failed"],
    ["/v1/messages?limit=201", 422, "validation_failed"],
    ["/v1/messages?limit=1e999", 422, "validation_failed"],
    ["/v1/messages?limit=ten", 422, "validation_failed"],
    ["/v1/messages?status=sent'%20OR%201=1--", 422, "validation_failed"],
    ["/v1/messages?since=yesterday", 422, "validation_failed"],
    ["/v1/messages?since=2026-02-30T00:00:00Z", 422, "validation_failed"],
    ["/v1/messages?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z", 422, "validation_failed"],
    ["/v1/messages?account=..%2Fglobex", 422, "validation_failed"],
    ["/v1/messages?account=wa-globex", 422, "unknown_account"],
    [`/v1/messages?to=${"9".repeat(257)}`, 422, "validation_failed"],
    [`/v1/messages?reference=${"r".repeat(257)}`, 422, "validation_failed"],
    ["/v1/messages?cursor=%00%ff", 400, "validation_failed"],
    [`/v1/messages?cursor=${forged({ at: 1 })}`, 400, "validation_failed"],
    [`/v1/messages?cursor=${forged([1.5, "x", 1])}`, 400, "validation_failed"],
    [`/v1/messages?cursor=${forged([1, "x", -1])}`, 400, "validation_failed"],
    [`/v1/messages?cursor=${"A".repeat(3000)}`, 422, "validation_failed"],
    ["/v1/endpoints/default/deliveries?limit=-1", 422, "validation_failed"],
    ["/v1/endpoints/default/deliveries?cursor=bm9wZQ", 400, "validation_failed"],
    ["/v1/stats?minutes=0", 422, "validation_failed"],
    ["/v1/stats?minutes=1441", 422, "validation_failed"],
    ["/v1/stats?minutes=NaN", 422, "validation_failed"],
  ] as const)("%s is a %i problem (%s)", async (path, status, code) => {
    const res = await get(path);
    expect(res.status).toBe(status);
    expect((await problemOf(res)).code).toBe(code);
  });

  it("a cursor naming a shard that does not exist pages nothing it should not", async () => {
    const res = await get(`/v1/messages?cursor=${forged([Date.now(), "wa-globex/00", 1])}`, TEST_KEYS.acme);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: { conversation: { tenant: string } }[] };
    for (const m of page.items) expect(m.conversation.tenant).toBe("acme");
  });
});

