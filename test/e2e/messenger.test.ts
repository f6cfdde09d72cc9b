import { describe, expect, inject, it } from "vitest";
import type { OutboundContent } from "../../src/model";
import { MESSENGER_ACCOUNT_ID, MESSENGER_API_VERSION, MESSENGER_PAGE_ID, MESSENGER_PAGE_TOKEN } from "../channels/messenger/account";
import { signedRequest } from "../channels/messenger/kit";
import { control, eventually, newPeer, relay } from "../support/http";
import type { BackendEvent, BackendEvents } from "../support/sandbox-types";

const fakeUrl = () => inject("platformUrls").messenger!;
const SEND_PATH = `/${MESSENGER_API_VERSION}/${MESSENGER_PAGE_ID}/messages`;

interface FakeRequest {
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: { recipient?: { id?: string }; messaging_type?: string; message?: Record<string, unknown> } | null;
  status?: number;
}
interface MessageRecord {
  status: string;
  attempts: number;
  platformMessageId?: string;
  error?: { reason: string; code?: string };
  history: { status: string }[];
}

async function fake<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(fakeUrl() + path, { method: body === undefined ? "GET" : "POST", ...(body !== undefined && { body: JSON.stringify(body) }) });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}
const requestsTo = async (to: string) => (await fake<{ requests: FakeRequest[] }>("/_sandbox/state")).requests.filter((r) => r.body?.recipient?.id === to);

async function send(to: string, content: OutboundContent = { type: "text", text: "Hello from the relay" }): Promise<string> {
  const res = await relay("/v1/messages", { method: "POST", body: JSON.stringify({ to, account: MESSENGER_ACCOUNT_ID, content }) });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}
const recordOf = async (id: string) => (await (await relay(`/v1/messages/${id}`)).json()) as MessageRecord;
const until = (id: string, status: string) =>
  eventually(async () => {
    const r = await recordOf(id);
    return r.status === status ? r : undefined;
  }, 15_000, `message ${id} to be ${status}`);

/** POSTs a signed Messenger webhook to the relay, as Meta would. */
async function webhook(messaging: Record<string, unknown>[]): Promise<Response> {
  const body = JSON.stringify({ object: "page", entry: [{ id: MESSENGER_PAGE_ID, time: Date.now(), messaging }] });
  const signed = await signedRequest(body);
  return fetch(inject("relayUrl") + signed.path, { method: "POST", headers: signed.headers, body: signed.body });
}
const from = (psid: string, rest: Record<string, unknown>) => ({ sender: { id: psid }, recipient: { id: MESSENGER_PAGE_ID }, timestamp: Date.now(), ...rest });
const atBackend = (what: string, match: (e: BackendEvent) => boolean) =>
  eventually(async () => (await control<BackendEvents>("backendUrl", "/_sandbox/events")).events.find(match), 10_000, what);
const mid = () => `m_${crypto.randomUUID()}`;

describe("Messenger through the relay", () => {
  it("sends to the Graph API with the page token, then delivery and read receipts move the message on", async () => {
    const to = newPeer();
    const id = await send(to);
    const sent = await until(id, "sent");
    const [request] = await requestsTo(to);
    expect(request).toMatchObject({
      path: SEND_PATH,
      query: {},
      headers: { authorization: `Bearer ${MESSENGER_PAGE_TOKEN}`, "content-type": "application/json" },
      body: { recipient: { id: to }, messaging_type: "RESPONSE", message: { text: "Hello from the relay" } },
      status: 200,
    });
    expect(sent.platformMessageId).toMatch(/^m_/);

    // Delivery by mid, then a read watermark (which names no message, only a time).
    expect((await webhook([from(to, { delivery: { mids: [sent.platformMessageId], watermark: Date.now() } })])).status).toBe(200);
    await until(id, "delivered");
    expect((await webhook([from(to, { read: { watermark: Date.now() } })])).status).toBe(200);
    const read = await until(id, "read");
    expect(read.history.map((h) => h.status)).toEqual(["queued", "sent", "delivered", "read"]);
    const statuses = await eventually(async () => {
      const { events } = await control<BackendEvents>("backendUrl", "/_sandbox/events");
      const mine = events.filter((e) => e.payload.status?.messageId === id);
      return mine.length >= 3 ? mine : undefined;
    }, 10_000, "status events at the backend");
    expect(statuses.map((e) => e.payload.status?.status)).toEqual(["sent", "delivered", "read"]);
  });

  it("degrades what Messenger lacks: a caption follows its image, in order", async () => {
    const to = newPeer();
    const id = await send(to, { type: "image", url: "https://example.com/cat.jpg", caption: "Our cat" });
    await until(id, "sent");
    expect((await requestsTo(to)).map((r) => r.body?.message)).toEqual([
      { attachment: { type: "image", payload: { url: "https://example.com/cat.jpg", is_reusable: true } } },
      { text: "Our cat" },
    ]);
  });

  it("a Graph API answering 503 twice still gets the message exactly once", async () => {
    const to = newPeer();
    await fake("/_sandbox/faults", { status: 503, count: 2, path: SEND_PATH });
    const id = await send(to, { type: "buttons", text: "Pick one", buttons: [{ id: "y", title: "Yes" }, { id: "n", title: "No" }] });
    const record = await until(id, "sent");
    expect(record.attempts).toBe(3);
    const requests = await requestsTo(to);
    expect(requests.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(requests[2]!.body?.message).toEqual({
      text: "Pick one",
      quick_replies: [
        { content_type: "text", title: "Yes", payload: "y" },
        { content_type: "text", title: "No", payload: "n" },
      ],
    });
  });

  it("honours Retry-After on a rate limit (#613)", async () => {
    const to = newPeer();
    await fake("/_sandbox/faults", { status: 429, retryAfter: 1, count: 1, path: SEND_PATH });
    const id = await send(to);
    const record = await until(id, "sent");
    expect(record.attempts).toBe(2);
    expect((await requestsTo(to)).map((r) => r.status)).toEqual([429, 200]);
  });

  it.each([
    ["0", "recipient_invalid", "100/2018001"],
    ["2018278", "window_closed", "10/2018278"],
  ])("recipient %s… fails at once with %s, and the business is told", async (prefix, reason, code) => {
    const to = `${prefix}${Math.floor(1e9 + Math.random() * 9e9)}`;
    const id = await send(to);
    const record = await until(id, "failed");
    expect(record.error).toMatchObject({ reason, code });
    expect(record.attempts).toBe(1);
    const event = await atBackend("the failed status", (e) => e.payload.status?.messageId === id);
    expect(event.payload.status).toMatchObject({ status: "failed", error: { reason, code } });
  });

  it("a customer's message reaches the business as a unified event; an unsigned one is refused", async () => {
    const psid = newPeer();
    const id = mid();
    expect((await webhook([from(psid, { message: { mid: id, text: "Gr\u00fc\u00dfe!", reply_to: { mid: "m_earlier" } } })])).status).toBe(200);
    const event = await atBackend("the customer's message", (e) => e.payload.message?.platformMessageId === id);
    expect(event.payload).toMatchObject({
      type: "message.received",
      conversation: { tenant: "acme", channel: "messenger", account: MESSENGER_ACCOUNT_ID, peer: psid },
      message: { sender: { id: psid }, content: { type: "text", text: "Grüße!" }, inReplyTo: "m_earlier" },
    });

    const forged = JSON.stringify({ object: "page", entry: [{ id: MESSENGER_PAGE_ID, messaging: [from(psid, { message: { mid: mid(), text: "forged" } })] }] });
    const res = await fetch(`${inject("relayUrl")}/webhooks/messenger/${MESSENGER_ACCOUNT_ID}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${"0".repeat(64)}` },
      body: forged,
    });
    expect(res.status).toBe(401);
  });

  it("a quick-reply tap and a postback arrive as replies with their payloads", async () => {
    const psid = newPeer();
    const [tap, postback] = [mid(), mid()];
    const res = await webhook([
      from(psid, { message: { mid: tap, text: "Yes", quick_reply: { payload: "y" } } }),
      from(psid, { postback: { mid: postback, title: "Talk to us", payload: "AGENT" } }),
    ]);
    expect(await res.json()).toEqual({ received: 2, skipped: 0 });
    const a = await atBackend("the quick reply", (e) => e.payload.message?.platformMessageId === tap);
    expect(a.payload.message?.content).toEqual({ type: "reply", id: "y", title: "Yes", source: "quick_reply" });
    const b = await atBackend("the postback", (e) => e.payload.message?.platformMessageId === postback);
    expect(b.payload.message?.content).toEqual({ type: "reply", id: "AGENT", title: "Talk to us", source: "postback" });
  });

  it("inbound media comes as a relay URL that streams the CDN's file; other hosts are never fetched", async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(2048));
    const upload = await fetch(`${fakeUrl()}/_sandbox/media`, { method: "POST", headers: { "content-type": "image/jpeg" }, body: bytes });
    const { url } = (await upload.json()) as { url: string };
    const psid = newPeer();
    const [image, foreign] = [mid(), mid()];
    await webhook([
      from(psid, { message: { mid: image, attachments: [{ type: "image", payload: { url } }] } }),
      from(psid, { message: { mid: foreign, attachments: [{ type: "image", payload: { url: "https://attacker.example/x.jpg" } }] } }),
    ]);
    const event = await atBackend("the image", (e) => e.payload.message?.platformMessageId === image);
    const content = event.payload.message!.content as { type: string; url: string; mediaId: string };
    expect(content).toMatchObject({ type: "image", mediaId: url });
    expect(content.url.startsWith(`${inject("relayUrl")}/v1/media/`)).toBe(true);
    const file = await fetch(content.url);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/jpeg");
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes);

    const other = await atBackend("the foreign image", (e) => e.payload.message?.platformMessageId === foreign);
    const refused = await fetch((other.payload.message!.content as { url: string }).url);
    expect(refused.status).toBe(404);
    await refused.body?.cancel();
  });
});
