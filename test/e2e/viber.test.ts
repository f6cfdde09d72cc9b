/**
 * Viber end to end: the relay on workerd over loopback, the fake Viber Bot API (sandbox/fake-viber.js)
 * and the sandbox business backend.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { VIBER_ACCOUNT_ID, VIBER_AUTH_TOKEN, VIBER_SENDER_NAME } from "../channels/viber/account";
import { newViberUser, signedViberRequest, VIBER_WEBHOOK_PATH } from "../channels/viber/kit";
import { control, eventually, relay } from "../support/http";
import type { BackendEvent, BackendEvents } from "../support/sandbox-types";

interface FakeRequest {
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown> | null;
  answer?: { http: number; token?: string };
}
interface MessageRecord {
  status: string;
  attempts: number;
  platformMessageId?: string;
  error?: { reason: string; code?: string; detail?: string };
  history: { status: string }[];
}

const fakeUrl = () => inject("platformUrls")["viber"]!;

async function fakeRequests(receiver: string): Promise<FakeRequest[]> {
  const state = (await (await fetch(`${fakeUrl()}/_sandbox/state`)).json()) as { requests: FakeRequest[] };
  return state.requests.filter((r) => r.path === "/pa/send_message" && r.body?.receiver === receiver);
}

async function fault(rule: Record<string, unknown>): Promise<void> {
  expect((await fetch(`${fakeUrl()}/_sandbox/faults`, { method: "POST", body: JSON.stringify(rule) })).status).toBe(200);
}

async function send(to: string, content: Record<string, unknown>): Promise<string> {
  const res = await relay("/v1/messages", { method: "POST", body: JSON.stringify({ to, account: VIBER_ACCOUNT_ID, content }) });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const recordOf = async (id: string) => (await (await relay(`/v1/messages/${id}`)).json()) as MessageRecord;

const until = (id: string, done: (r: MessageRecord) => boolean, what: string) =>
  eventually(async () => {
    const r = await recordOf(id);
    return done(r) ? r : undefined;
  }, 15_000, what);

async function backendEvent(match: (e: BackendEvent) => boolean, what: string): Promise<BackendEvent> {
  return eventually(async () => (await control<BackendEvents>("backendUrl", "/_sandbox/events")).events.find(match), 10_000, what);
}

/** Posts a callback to the relay exactly as Viber would: signed raw bytes. */
async function callback(body: string, token = VIBER_AUTH_TOKEN): Promise<Response> {
  const r = await signedViberRequest(body, token);
  return fetch(`${inject("relayUrl")}${r.path}`, { method: "POST", headers: r.headers, body: r.body });
}

/** Calls the fake's `set_webhook` as an operator would. */
async function setWebhook(url: string, eventTypes?: string[]): Promise<unknown> {
  const res = await fetch(`${fakeUrl()}/pa/set_webhook`, {
    method: "POST",
    headers: { "x-viber-auth-token": VIBER_AUTH_TOKEN, "content-type": "application/json" },
    body: JSON.stringify({ url, ...(eventTypes && { event_types: eventTypes }) }),
  });
  return res.json();
}

/** A 64-bit token beyond 2^53, as a JSON number literal. */
const newToken = () =>
  (5n * 10n ** 18n + BigInt(Math.floor(Math.random() * 1e15)) * 1000n + BigInt(Math.floor(Math.random() * 1000))).toString();

describe("Viber through the relay", () => {
  beforeAll(async () => {
    // As an operator would: register the relay's webhook. The fake checks it with a signed `webhook`
    // event (the relay must answer 200), then sends delivered/seen callbacks for every message.
    const types = ["delivered", "seen", "failed"];
    expect(await setWebhook(`${inject("relayUrl")}${VIBER_WEBHOOK_PATH}`, types)).toEqual({ status: 0, status_message: "ok", event_types: types });
  });

  // Removing the webhook (an empty url) stops receipts for other test files' sends to the fake.
  afterAll(() => setWebhook(""));

  it("sends a text with the bot's token and sender, and the exact 64-bit token lets Viber's receipts move it to read", async () => {
    const to = newViberUser();
    const id = await send(to, { type: "text", text: "Your order has shipped" });
    const record = await until(id, (r) => r.status === "read", "the read receipt");
    expect(record.history.map((h) => h.status)).toEqual(["queued", "sent", "delivered", "read"]);
    expect(record.attempts).toBe(1);

    const [request, ...more] = await fakeRequests(to);
    expect(more).toHaveLength(0);
    expect(request).toMatchObject({
      headers: { "x-viber-auth-token": VIBER_AUTH_TOKEN },
      body: { receiver: to, min_api_version: 1, sender: { name: VIBER_SENDER_NAME }, type: "text", text: "Your order has shipped" },
    });
    expect(BigInt(request!.answer!.token!) > 2n ** 53n).toBe(true);
    expect(record.platformMessageId).toBe(request!.answer!.token);

    const read = await backendEvent((e) => e.payload.status?.messageId === id && e.payload.status.status === "read", "the read status");
    expect(read.payload.conversation).toEqual({ tenant: "acme", channel: "viber", account: VIBER_ACCOUNT_ID, peer: to });
  });

  it("Viber's throttling (status 12 in an HTTP 200) and an HTTP 503 are retried; the message goes out exactly once", async () => {
    const to = newViberUser();
    await fault({ receiver: to, error: { status: 12, status_message: "tooManyRequests" } });
    await fault({ receiver: to, status: 503 });
    const id = await send(to, { type: "text", text: "through the storm" });
    const record = await until(id, (r) => r.status !== "queued", "the send");
    expect(record.status).not.toBe("failed");
    expect(record.attempts).toBe(3);
    const requests = await fakeRequests(to);
    expect(requests.map((r) => r.answer?.http)).toEqual([200, 503, 200]);
    expect(requests.filter((r) => r.answer?.token)).toHaveLength(1);
  });

  it("honours Retry-After on an HTTP 429", async () => {
    const to = newViberUser();
    await fault({ receiver: to, status: 429, retryAfter: 1 });
    const id = await send(to, { type: "text", text: "after a pause" });
    const record = await until(id, (r) => r.status !== "queued", "the send");
    expect(record.attempts).toBe(2);
    expect((await fakeRequests(to)).filter((r) => r.answer?.token)).toHaveLength(1);
  });

  it("a receiver not on Viber fails the message at once with recipient_invalid, and the business hears of it", async () => {
    const id = await send(newViberUser("0000"), { type: "text", text: "nobody home" });
    const record = await until(id, (r) => r.status === "failed", "the failure");
    expect(record.error).toMatchObject({ reason: "recipient_invalid", code: "5" });
    expect(record.attempts).toBe(1);
    const event = await backendEvent((e) => e.payload.status?.messageId === id, "the failed status");
    expect(event.payload.status).toMatchObject({ status: "failed", error: { reason: "recipient_invalid", code: "5" } });
  });

  it("an asynchronous `failed` callback fails a sent message", async () => {
    const id = await send(newViberUser("FAIL"), { type: "text", text: "into the void" });
    const record = await until(id, (r) => r.status === "failed", "the failed callback");
    expect(record.history.map((h) => h.status)).toEqual(["queued", "sent", "failed"]);
    expect(record.error).toMatchObject({ reason: "platform_error" });
  });

  it("buttons go out as a reply keyboard, and the customer's tap comes back as a reply with the button's id", async () => {
    const to = newViberUser();
    const buttons = [{ id: "slot-9", title: "9:00" }, { id: "slot-10", title: "10:00" }];
    const id = await send(to, { type: "buttons", text: "When suits you?", buttons });
    await until(id, (r) => r.status !== "queued", "the send");
    const [request] = await fakeRequests(to);
    expect(request!.body).toMatchObject({
      type: "text",
      text: "When suits you?",
      keyboard: { Type: "keyboard", Buttons: [{ ActionType: "reply", ActionBody: "9:00" }, { ActionType: "reply", ActionBody: "10:00" }] },
    });

    // Tapping "10:00" makes the customer say "10:00"; Viber returns the message's tracking_data with it.
    const token = newToken();
    const tap = JSON.stringify({
      event: "message",
      timestamp: Date.now(),
      message_token: 0,
      sender: { id: to, name: "Ada" },
      message: { type: "text", text: "10:00", tracking_data: request!.body!.tracking_data },
    }).replace('"message_token":0', `"message_token":${token}`);
    expect((await callback(tap)).status).toBe(200);
    const event = await backendEvent((e) => e.payload.message?.platformMessageId === token, "the reply");
    expect(event.payload.message?.content).toEqual({ type: "reply", id: "slot-10", title: "10:00", source: "button" });
  });
});

describe("Viber callbacks into the relay", () => {
  it("a signed message reaches the business as a unified event with its exact token", async () => {
    const from = newViberUser();
    const token = newToken();
    const body = `{"event":"message","timestamp":${Date.now()},"message_token":${token},"sender":{"id":"${from}","name":"Ada"},"message":{"type":"text","text":"Hi there"},"silent":false}`;
    const res = await callback(body);
    expect(res.status).toBe(200);
    const event = await backendEvent((e) => e.payload.message?.platformMessageId === token, "the message at the backend");
    expect(event.payload).toMatchObject({
      type: "message.received",
      conversation: { tenant: "acme", channel: "viber", account: VIBER_ACCOUNT_ID, peer: from },
      message: { platformMessageId: token, sender: { id: from, name: "Ada" }, content: { type: "text", text: "Hi there" } },
    });
  });

  it("a conversation_started reaches the business as a conversation.started event; a badly signed callback is refused", async () => {
    const user = newViberUser();
    const token = newToken();
    const body = `{"event":"conversation_started","timestamp":${Date.now()},"message_token":${token},"type":"open","context":"ad-42","user":{"id":"${user}","name":"Bo"},"subscribed":false}`;
    expect((await callback(body, "not-the-bot-token-0123456789")).status).toBe(401);
    // Delivered by the fake, which signs with Node's crypto: an implementation independent of the tests'.
    const delivered = await fetch(`${fakeUrl()}/_sandbox/callback`, {
      method: "POST",
      body: JSON.stringify({ url: `${inject("relayUrl")}${VIBER_WEBHOOK_PATH}`, body }),
    });
    expect(await delivered.json()).toEqual({ status: 200 });
    const event = await backendEvent(
      (e) => e.payload.type === "conversation.started" && e.payload.conversation.peer === user,
      "the conversation start",
    );
    expect(event.payload).toMatchObject({
      conversation: { channel: "viber", account: VIBER_ACCOUNT_ID, peer: user },
      customer: { id: user, name: "Bo", identities: [{ kind: "user_id", value: user }] },
      trigger: "open",
      referral: { ref: "ad-42" },
      subscribed: false,
    });
  });

  it("inbound media comes with a relay URL that streams the file; media elsewhere is never proxied", async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(4096));
    const upload = await fetch(`${fakeUrl()}/_sandbox/media?name=photo.jpg`, { method: "POST", headers: { "content-type": "image/jpeg" }, body: bytes });
    const { url: mediaUrl } = (await upload.json()) as { url: string };
    const from = newViberUser();
    const picture = (token: string, media: string) =>
      `{"event":"message","timestamp":${Date.now()},"message_token":${token},"sender":{"id":"${from}","name":"Ada"},"message":{"type":"picture","text":"look","media":"${media}","file_name":"photo.jpg"}}`;

    const token = newToken();
    expect((await callback(picture(token, mediaUrl))).status).toBe(200);
    const event = await backendEvent((e) => e.payload.message?.platformMessageId === token, "the picture");
    const content = event.payload.message!.content as { type: string; url: string; mediaId: string; caption: string };
    expect(content).toMatchObject({ type: "image", mediaId: mediaUrl, caption: "look", filename: "photo.jpg" });
    expect(content.url.startsWith(`${inject("relayUrl")}/v1/media/`)).toBe(true);
    const file = await fetch(content.url);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/jpeg");
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes);

    const foreign = newToken();
    expect((await callback(picture(foreign, "https://example.com/elsewhere.jpg"))).status).toBe(200);
    const other = await backendEvent((e) => e.payload.message?.platformMessageId === foreign, "the foreign picture");
    const res = await fetch((other.payload.message!.content as { url: string }).url);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});
