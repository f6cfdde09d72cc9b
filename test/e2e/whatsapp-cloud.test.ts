/**
 * WhatsApp Cloud API end to end: the relay over loopback, the fake Cloud API (which posts signed status
 * webhooks back to the relay) and the business backend.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { FakeCloudState } from "../../sandbox/fake-whatsapp-cloud.js";
import { metaSignature } from "../channels/whatsapp-cloud/kit";
import { CLOUD_ACCESS_TOKEN, CLOUD_ACCOUNT_ID, CLOUD_PHONE_NUMBER_ID, CLOUD_VERIFY_TOKEN } from "../channels/whatsapp-cloud/account";
import { control, eventually, newPeer, platform, relay } from "../support/http";
import type { BackendEvent, BackendEvents } from "../support/sandbox-types";
import type { OutboundContent } from "../../src/model";

const fakeUrl = inject("platformUrls")["whatsapp-cloud"]!;
const webhookUrl = `${inject("relayUrl")}/webhooks/whatsapp-cloud/${CLOUD_ACCOUNT_ID}`;

const fake = <T = FakeCloudState>(path = "/_sandbox/state", body?: unknown) => platform<T>("whatsapp-cloud", path, body);

async function send(to: string, content: OutboundContent = { type: "text", text: "Hello from the cloud" }): Promise<string> {
  const res = await relay("/v1/messages", { method: "POST", body: JSON.stringify({ to, account: CLOUD_ACCOUNT_ID, content }) });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

interface RecordView {
  status: string;
  attempts: number;
  platformMessageId?: string;
  error?: { reason: string; code?: string };
  history: { status: string }[];
}
const recordOf = async (id: string) => (await (await relay(`/v1/messages/${id}`)).json()) as RecordView;
const recordWith = (id: string, status: string, what: string) =>
  eventually(async () => {
    const r = await recordOf(id);
    return r.status === status ? r : undefined;
  }, 15_000, what);

const addressedTo = (peer: string) => (b: unknown) => {
  const body = b as { to?: string; recipient?: string } | undefined;
  return body?.to === peer || body?.recipient === peer;
};
const backendEvent = (match: (e: BackendEvent) => boolean, what: string) =>
  eventually(async () => (await control<BackendEvents>("backendUrl", "/_sandbox/events")).events.find(match), 10_000, what);

/** POSTs a body to the relay's webhook as Meta would, signed over its exact bytes. */
async function postWebhook(body: string): Promise<Response> {
  return fetch(webhookUrl, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": await metaSignature(body) },
    body,
  });
}

beforeAll(async () => {
  // Meta calls the webhook registered in the app dashboard; the fake calls the relay the same way.
  await fake("/_sandbox/webhook", { url: webhookUrl });
});

describe("sending through the WhatsApp Cloud API", () => {
  it("reaches the Cloud API with the right request, and its signed statuses come back", async () => {
    const peer = newPeer();
    const id = await send(`+${peer}`, { type: "text", text: "Hello from the cloud" });
    const request = await eventually(async () => (await fake()).requests.find((r) => addressedTo(peer)(r.body)), 10_000, "the send");
    expect(request).toEqual({
      method: "POST",
      path: `/v23.0/${CLOUD_PHONE_NUMBER_ID}/messages`,
      headers: { authorization: `Bearer ${CLOUD_ACCESS_TOKEN}`, "content-type": "application/json" },
      body: {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: peer,
        biz_opaque_callback_data: `relay-peer:${peer}`,
        type: "text",
        text: { preview_url: false, body: "Hello from the cloud" },
      },
    });
    const record = await recordWith(id, "read", "the message to be read");
    const accepted = (await fake()).messages.filter((m) => m.to === peer);
    expect(accepted).toHaveLength(1);
    expect(record.platformMessageId).toBe(accepted[0]!.id);
    expect(record.history.map((h) => h.status)).toEqual(["queued", "sent", "delivered", "read"]);
    const events = await eventually(async () => {
      const mine = (await control<BackendEvents>("backendUrl", "/_sandbox/events")).events.filter((e) => e.payload.status?.messageId === id);
      return mine.length >= 3 ? mine : undefined;
    }, 10_000, "status events at the backend");
    expect(events.map((e) => e.payload.status?.status)).toEqual(["sent", "delivered", "read"]);
    expect(events[0]!.payload.conversation).toEqual({ tenant: "acme", channel: "whatsapp-cloud", account: CLOUD_ACCOUNT_ID, peer });
  });

  it("replies to a business-scoped user id through `recipient`, and its statuses find the conversation", async () => {
    const bsuid = `US.${newPeer()}${newPeer()}`;
    const id = await send(bsuid);
    // The fake's statuses carry a phone number as `recipient_id` too; the echoed callback data routes them.
    const record = await recordWith(id, "read", "the BSUID message to be read");
    expect(record.attempts).toBe(1);
    const [request, ...more] = (await fake()).requests.filter((r) => addressedTo(bsuid)(r.body));
    expect(more).toEqual([]);
    expect(request?.body).toMatchObject({ recipient: bsuid });
    expect(request?.body).not.toHaveProperty("to");
  });

  it("a 429 with Retry-After is retried and the message goes through exactly once", async () => {
    const peer = newPeer();
    await fake("/_sandbox/faults", { to: peer, status: 429, retryAfter: 1 });
    const id = await send(peer);
    const record = await recordWith(id, "read", "the throttled message to go through");
    expect(record.attempts).toBe(2);
    const state = await fake();
    expect(state.requests.filter((r) => addressedTo(peer)(r.body))).toHaveLength(2);
    expect(state.messages.filter((m) => m.to === peer)).toHaveLength(1);
  });

  it("server errors are retried and the message goes through exactly once", async () => {
    const peer = newPeer();
    await fake("/_sandbox/faults", { to: peer, status: 503, count: 2 });
    const id = await send(peer);
    const record = await recordWith(id, "read", "the message to survive two 503s");
    expect(record.attempts).toBe(3);
    const state = await fake();
    expect(state.requests.filter((r) => addressedTo(peer)(r.body))).toHaveLength(3);
    expect(state.messages.filter((m) => m.to === peer)).toHaveLength(1);
  });

  it("an undeliverable recipient fails the message at once with recipient_invalid, and the business hears it", async () => {
    const id = await send(`0${newPeer()}`);
    const record = await recordWith(id, "failed", "the failure");
    expect(record.error).toMatchObject({ reason: "recipient_invalid", code: "131026" });
    expect(record.attempts).toBe(1);
    const event = await backendEvent((e) => e.payload.status?.messageId === id, "the failed status at the backend");
    expect(event.payload.status).toMatchObject({ status: "failed", error: { reason: "recipient_invalid", code: "131026" } });
  });

  it("the spam rate limit (131048) fails at once as rate_limited instead of retrying", async () => {
    const id = await send(`131048${newPeer()}`);
    const record = await recordWith(id, "failed", "the spam-limit failure");
    expect(record.error).toMatchObject({ reason: "rate_limited", code: "131048" });
    expect(record.attempts).toBe(1);
  });

  it("an asynchronous failed status outside the 24-hour window ends the message as window_closed", async () => {
    const id = await send(`131047${newPeer()}`);
    const record = await recordWith(id, "failed", "the async failure");
    expect(record.error).toMatchObject({ reason: "window_closed", code: "131047" });
    expect(record.history.map((h) => h.status)).toEqual(["queued", "sent", "failed"]);
  });
});

describe("receiving from the WhatsApp Cloud API", () => {
  it("answers Meta's handshake and refuses unsigned webhooks", async () => {
    const ok = await fetch(`${webhookUrl}?hub.mode=subscribe&hub.challenge=424242&hub.verify_token=${CLOUD_VERIFY_TOKEN}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("424242");
    const bad = await fetch(`${webhookUrl}?hub.mode=subscribe&hub.challenge=424242&hub.verify_token=guess`);
    expect(bad.status).toBe(403);
    await bad.body?.cancel();
    const unsigned = await fetch(webhookUrl, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(unsigned.status).toBe(401);
    await unsigned.body?.cancel();
  });

  it("a signed webhook with escaped unicode reaches the business once, however often Meta redelivers it", async () => {
    const peer = newPeer();
    const wamid = `wamid.E2E${crypto.randomUUID()}`;
    // Meta's bytes: non-ASCII escaped; the signature covers exactly these.
    const body = (id: string, text: string) =>
      `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp",` +
      `"metadata":{"display_phone_number":"15550783881","phone_number_id":"${CLOUD_PHONE_NUMBER_ID}"},` +
      `"contacts":[{"profile":{"name":"J\\u00fcrgen"},"wa_id":"${peer}"}],` +
      `"messages":[{"from":"${peer}","id":"${id}","timestamp":"1749416383","type":"text","text":{"body":"${text}"}}]},"field":"messages"}]}]}`;
    for (let i = 0; i < 2; i++) {
      const res = await postWebhook(body(wamid, "Gr\\u00fc\\u00dfe \\ud83d\\ude00"));
      expect(res.status).toBe(200);
      await res.body?.cancel();
    }
    const event = await backendEvent((e) => e.payload.message?.platformMessageId === wamid, "the customer's message");
    expect(event.payload).toMatchObject({
      type: "message.received",
      conversation: { tenant: "acme", channel: "whatsapp-cloud", account: CLOUD_ACCOUNT_ID, peer },
      message: { sender: { id: peer, name: "Jürgen" }, content: { type: "text", text: "Grüße 😀" } },
    });
    // A later message of the same customer arrives after the redelivery would have.
    const later = `wamid.E2E${crypto.randomUUID()}`;
    await (await postWebhook(body(later, "later"))).body?.cancel();
    await backendEvent((e) => e.payload.message?.platformMessageId === later, "the later message");
    const { events } = await control<BackendEvents>("backendUrl", "/_sandbox/events");
    expect(events.filter((e) => e.payload.message?.platformMessageId === wamid)).toHaveLength(1);
  });

  it("a customer known only by a business-scoped user id can be answered", async () => {
    const bsuid = `DE.${newPeer()}`;
    const { id: wamid, status } = await fake<{ id: string; status: number }>("/_sandbox/inbound", { userId: bsuid, name: "Kerry", text: "Hi, no number here" });
    expect(status).toBe(200);
    const event = await backendEvent((e) => e.payload.message?.platformMessageId === wamid, "the BSUID customer's message");
    expect(event.payload.conversation.peer).toBe(bsuid);
    expect(event.payload.message).toMatchObject({ sender: { id: bsuid, name: "Kerry" }, content: { type: "text", text: "Hi, no number here" } });

    const reply = await send(event.payload.conversation.peer, { type: "text", text: "Happy to help" });
    await recordWith(reply, "read", "the reply to be read");
    const request = (await fake()).requests.find((r) => addressedTo(bsuid)(r.body));
    expect(request?.body).toMatchObject({ recipient: bsuid, text: { body: "Happy to help" } });
  });

  it("inbound media reaches the business as a relay URL that streams the file, never Meta's URL or token", async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(4096));
    const upload = await fetch(`${fakeUrl}/_sandbox/media`, { method: "POST", headers: { "content-type": "image/jpeg" }, body: bytes });
    const { id: mediaId } = (await upload.json()) as { id: string };
    const { id: wamid } = await fake<{ id: string }>("/_sandbox/inbound", {
      from: newPeer(),
      message: { type: "image", image: { id: mediaId, mime_type: "image/jpeg", sha256: "x", caption: "look" } },
    });
    const event = await backendEvent((e) => e.payload.message?.platformMessageId === wamid, "the image event");
    const content = event.payload.message!.content as { type: string; url: string; mediaId: string; caption: string };
    expect(content).toMatchObject({ type: "image", mediaId, caption: "look" });
    expect(content.url.startsWith(`${inject("relayUrl")}/v1/media/`)).toBe(true);
    expect(event.raw).not.toContain(fakeUrl);
    expect(event.raw).not.toContain("attachments");
    expect(event.raw).not.toContain(CLOUD_ACCESS_TOKEN);

    const file = await fetch(content.url);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/jpeg");
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes);
  });
});
