/**
 * Apple Messages for Business through the real relay over loopback: sends reach the fake Apple gateway,
 * faults are retried, permanent errors fail with their reason, and Apple's signed (gzipped) webhooks reach
 * the business backend, attachments included.
 */
import { describe, expect, inject, it } from "vitest";
import type { FakeAppleInboundAttachment, FakeAppleState } from "../../sandbox/fake-apple.js";
import { APPLE_ACCOUNT_ID, APPLE_BUSINESS_ID, APPLE_MSP_ID } from "../channels/apple/account";
import { appleRequest, appleToken } from "../channels/apple/kit";
import { control, eventually, platform, relay } from "../support/http";
import type { BackendEvents } from "../support/sandbox-types";

const fakeUrl = () => inject("platformUrls")["apple"]!;
/** A customer of its own per test: an Apple opaque id. */
const newOpaqueId = (prefix = "") => `urn:mbid:${prefix}AQAA${crypto.randomUUID().replace(/-/g, "")}`;

const fake = <T>(path: string, body?: unknown) => platform<T>("apple", path, body);
const fakeState = () => fake<FakeAppleState>("/_sandbox/state");

async function send(to: string, text: string): Promise<string> {
  const res = await relay("/v1/messages", {
    method: "POST",
    body: JSON.stringify({ to, account: APPLE_ACCOUNT_ID, content: { type: "text", text } }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

interface MessageRecord {
  status: string;
  attempts: number;
  platformMessageId?: string;
  error?: { reason: string; code?: string };
  history: { status: string }[];
}
const recordOf = async (id: string) => (await (await relay(`/v1/messages/${id}`)).json()) as MessageRecord;
const settled = (id: string, status: string) =>
  eventually(async () => {
    const r = await recordOf(id);
    return r.status === status ? r : undefined;
  }, 15_000, `message ${id} to be ${status}`);

/** Posts a message as Apple does: gzipped, with a bearer token for the MSP. */
async function postAsApple(message: Record<string, unknown>, extraHeaders: Record<string, string> = {}): Promise<Response> {
  const request = await appleRequest(JSON.stringify(message), await appleToken());
  return fetch(`${inject("relayUrl")}${request.path}`, { method: "POST", headers: { ...request.headers, ...extraHeaders }, body: request.body });
}
const backendEvent = (platformMessageId: string, what: string) =>
  eventually(async () => {
    const { events } = await control<BackendEvents>("backendUrl", "/_sandbox/events");
    return events.find((e) => e.payload.message?.platformMessageId === platformMessageId);
  }, 10_000, what);

describe("Apple Messages for Business, end to end", () => {
  it("a text reaches Apple as the MSP, with the business as source and the customer as destination", async () => {
    const peer = newOpaqueId();
    const id = await send(peer, "Your order has shipped.");
    const record = await settled(id, "sent");
    const sent = (await fakeState()).messages.filter((m) => m.headers["destination-id"] === peer);
    expect(sent).toHaveLength(1);
    expect(record.platformMessageId).toBe(sent[0]!.id);
    expect(record.history.map((h) => h.status)).toEqual(["queued", "sent"]);
    expect(sent[0]!.headers).toMatchObject({ "source-id": APPLE_BUSINESS_ID, id: sent[0]!.id });
    expect(sent[0]!.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sent[0]!.body).toEqual({
      id: sent[0]!.id,
      type: "text",
      sourceId: APPLE_BUSINESS_ID,
      destinationId: peer,
      v: 1,
      body: "Your order has shipped.",
    });
  });

  it("503s are retried and the message reaches Apple exactly once, under the same id", async () => {
    const peer = newOpaqueId();
    await fake("/_sandbox/faults", { status: 503, count: 2, path: "/v1/message", destination: peer });
    const id = await send(peer, "through the storm");
    const record = await settled(id, "sent");
    expect(record.attempts).toBe(3);
    const state = await fakeState();
    const attempts = state.requests.filter((r) => r.path === "/v1/message" && r.headers["destination-id"] === peer);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((r) => r.headers.id))).toEqual(new Set([record.platformMessageId]));
    expect(state.messages.filter((m) => m.headers["destination-id"] === peer)).toHaveLength(1);
  });

  it("a 429 with Retry-After is honoured, and the conversation stays in order", async () => {
    const peer = newOpaqueId();
    await fake("/_sandbox/faults", { status: 429, retryAfter: 1, count: 1, path: "/v1/message", destination: peer });
    const first = await send(peer, "first");
    const second = await send(peer, "second");
    await settled(second, "sent");
    expect((await recordOf(first)).attempts).toBe(2);
    const texts = (await fakeState()).messages.filter((m) => m.headers["destination-id"] === peer).map((m) => m.body.body);
    expect(texts).toEqual(["first", "second"]);
  });

  it("a customer who closed the conversation fails the message for good, and the business hears of it", async () => {
    const peer = newOpaqueId("GONE");
    const id = await send(peer, "anyone there?");
    const record = await settled(id, "failed");
    expect(record.error).toMatchObject({ reason: "recipient_blocked", code: "410" });
    expect(record.attempts).toBe(1);
    const event = await eventually(async () => {
      const { events } = await control<BackendEvents>("backendUrl", "/_sandbox/events");
      return events.find((e) => e.payload.status?.messageId === id);
    }, 10_000, "the failed status at the backend");
    expect(event.payload.status).toMatchObject({ status: "failed", error: { reason: "recipient_blocked" } });
  });

  it("refuses a recipient that is not an Apple opaque id with a 422", async () => {
    const res = await relay("/v1/messages", {
      method: "POST",
      body: JSON.stringify({ to: "+49 170 1234567", account: APPLE_ACCOUNT_ID, content: { type: "text", text: "hi" } }),
    });
    expect(res.status).toBe(422);
  });

  it("a customer's message, gzipped and signed by Apple, reaches the business as a unified event", async () => {
    const peer = newOpaqueId();
    const id = crypto.randomUUID();
    const res = await postAsApple(
      { id, type: "text", sourceId: peer, destinationId: APPLE_BUSINESS_ID, v: 1, body: "Where is my parcel?", locale: "en_US" },
      // Whether or not Apple labels the encoding, the body is gzip.
      { "content-encoding": "gzip" },
    );
    expect(res.status).toBe(200);
    const event = await backendEvent(id, "the customer's message at the backend");
    expect(event.payload).toMatchObject({
      type: "message.received",
      conversation: { tenant: "acme", channel: "apple", account: APPLE_ACCOUNT_ID, peer },
      message: { platformMessageId: id, sender: { id: peer }, content: { type: "text", text: "Where is my parcel?" } },
    });
    // Apple's token is not bound to the body: one for another MSP must not open this webhook.
    const request = await appleRequest(JSON.stringify({ id: crypto.randomUUID(), type: "text", sourceId: peer, destinationId: APPLE_BUSINESS_ID, v: 1, body: "x" }), await appleToken({ audience: `${APPLE_MSP_ID}-other` }));
    const forged = await fetch(`${inject("relayUrl")}${request.path}`, { method: "POST", headers: request.headers, body: request.body });
    expect(forged.status).toBe(401);
  });

  it("an attachment reaches the business as a relay URL that streams the decrypted file", async () => {
    const bytes = new Uint8Array(40_000).map((_, i) => (i * 7 + 3) % 256);
    const attachment = await fake<FakeAppleInboundAttachment>("/_sandbox/attachments", {
      data: btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join("")),
      mimeType: "image/heic",
      name: "IMG_0099.HEIC",
    });
    const peer = newOpaqueId();
    const id = crypto.randomUUID();
    const res = await postAsApple({ id, type: "text", sourceId: peer, destinationId: APPLE_BUSINESS_ID, v: 1, body: "\uFFFC", attachments: [attachment] });
    expect(res.status).toBe(200);
    const event = await backendEvent(id, "the image event");
    const content = event.payload.message!.content as { type: string; url: string; mediaId: string; filename: string };
    expect(content).toMatchObject({ type: "image", mimeType: "image/heic", filename: "IMG_0099.HEIC" });
    expect(content.url.startsWith(`${inject("relayUrl")}/v1/media/`)).toBe(true);
    expect(content.url).not.toContain(fakeUrl());

    const file = await fetch(content.url);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/heic");
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes);
    const downloads = (await fakeState()).requests.filter((r) => r.path === "/v1/preDownload" && r.headers["mmcs-url"] === attachment.url);
    expect(downloads.length).toBeGreaterThan(0);
    expect(downloads[0]!.headers).toMatchObject({ "source-id": APPLE_BUSINESS_ID, "mmcs-owner": attachment.owner });
  });
});
