import { describe, expect, it } from "vitest";
import { parseOnPremWebhook } from "../../../src/channels/whatsapp-onprem/inbound";
import { InboundContent, MessageStatus } from "../../../src/model";
import { fixture, fixtures } from "../../support/fixtures";

const bytes = (s: string) => new TextEncoder().encode(s);
const parse = (name: string) => parseOnPremWebhook(bytes(fixture("whatsapp", name)));

describe("WhatsApp On-Premises inbound", () => {
  it("parses every fixture into events valid against the unified model", () => {
    const all = fixtures("whatsapp");
    expect(Object.keys(all).length).toBeGreaterThanOrEqual(15);
    for (const [name, raw] of Object.entries(all)) {
      const { events } = parseOnPremWebhook(bytes(raw));
      expect(events.length, name).toBeGreaterThan(0);
      for (const e of events) {
        if (e.type === "message.received") expect(InboundContent.safeParse(e.message.content).success, name).toBe(true);
        if (e.type === "message.status") expect(MessageStatus.safeParse(e.status.status).success, name).toBe(true);
      }
    }
  });

  it("text: sender, profile name, timestamp in ISO", () => {
    const [e] = parse("text").events;
    expect(e).toEqual({
      type: "message.received",
      peer: "250788123123",
      dedupeKey: "message:ABGGFlA5FpafAgo6EhgL0gHNV4SSgP9a2mjh",
      message: {
        platformMessageId: "ABGGFlA5FpafAgo6EhgL0gHNV4SSgP9a2mjh",
        timestamp: "2016-01-30T01:57:09.000Z",
        sender: { id: "250788123123", name: "Jerry Cooney", phone: "250788123123", identities: [{ kind: "phone", value: "250788123123" }] },
        content: { type: "text", text: "hello world" },
      },
    });
  });

  it.each([
    ["image", { type: "image", mediaId: "b1c68f38-8734-4ad3-b4a1-ef0c10d683", mimeType: "image/jpeg", caption: "the caption" }],
    ["document", { type: "document", filename: "80skaraokesonglistartist.pdf", mimeType: "application/pdf" }],
    ["voice", { type: "audio", voice: true, mimeType: "audio/ogg; codecs=opus" }],
    ["media-undownloaded", { type: "document", filename: "big.pdf", available: false, unavailableReason: "undownloaded" }],
    ["location", { type: "location", latitude: 38.9806263495, longitude: -131.9428612257, name: "Main Street Beach" }],
    ["button", { type: "reply", id: "No-Button-Payload", title: "No", source: "template_button" }],
    ["interactive-button-reply", { type: "reply", id: "unique-postback-id", title: "First Button's Title", source: "button" }],
    ["interactive-list-reply", { type: "reply", id: "list_reply_id", title: "row title", source: "list" }],
    ["system", { type: "unsupported", platformType: "system.user_changed_number" }],
    ["unknown", { type: "unsupported", platformType: "unknown" }],
  ])("%s content", (name, expected) => {
    const [e] = parse(name).events;
    expect(e?.type).toBe("message.received");
    if (e?.type === "message.received") expect(e.message.content).toMatchObject(expected);
  });

  it("contacts keep names, phones and emails", () => {
    const [e] = parse("contacts").events;
    expect(e?.type === "message.received" && e.message.content).toEqual({
      type: "contacts",
      contacts: [{ name: "John Smith", phones: ["+1 (940) 555-1234", "+1 (650) 555-1234"], emails: ["test@fb.com"] }],
    });
  });

  it("replies carry the id of the message they answer", () => {
    const [e] = parse("button").events;
    expect(e?.type === "message.received" && e.message.inReplyTo).toBe("gBGGFlB5hjl6AgkqQ5Rw8CqSGL8");
  });

  it("statuses: delivered, read, and failed with the window_closed reason", () => {
    expect(parse("status-delivered").events[0]).toMatchObject({
      type: "message.status",
      peer: "16315551234",
      dedupeKey: "status:gBEGkYiEB1VXAglK1ZEqA1YKPrU:delivered",
      status: { platformMessageId: "gBEGkYiEB1VXAglK1ZEqA1YKPrU", status: "delivered", timestamp: "2018-02-15T11:38:20.000Z" },
    });
    expect(parse("status-read").events[0]).toMatchObject({ status: { status: "read" } });
    expect(parse("status-failed").events[0]).toMatchObject({
      status: { status: "failed", error: { reason: "window_closed", code: "470" } },
    });
  });

  it("an undownloaded media message has no id and says why it cannot be fetched", () => {
    const [e] = parse("media-undownloaded").events;
    expect(e?.type === "message.received" && e.message.content).toEqual({
      type: "document",
      mimeType: "application/pdf",
      filename: "big.pdf",
      available: false,
      unavailableReason: "undownloaded",
    });
  });

  it("statuses carry WhatsApp's pricing and conversation", () => {
    expect(parse("status-delivered").events[0]).toMatchObject({
      status: {
        pricing: { billable: true, model: "CBP", category: "user_initiated" },
        platformConversation: { id: "532b57b5f6e63595ccd74c6010e5c5c7", category: "user_initiated", expiresAt: "2018-02-16T11:38:20.000Z" },
      },
    });
    expect(parse("status-read").events[0]).not.toHaveProperty("status.pricing");
  });

  it("a deleted status is the customer deleting their own message", () => {
    expect(parse("status-deleted").events).toEqual([
      {
        type: "message.deleted",
        peer: "250788123123",
        dedupeKey: "status:ABGGFlA5FpafAgo6EhgL0gHNV4SSgP9a2mjh:deleted",
        message: {
          platformMessageId: "ABGGFlA5FpafAgo6EhgL0gHNV4SSgP9a2mjh",
          timestamp: "2016-01-30T01:59:02.000Z",
          sender: { id: "250788123123", phone: "250788123123", identities: [{ kind: "phone", value: "250788123123" }] },
        },
      },
    ]);
  });

  it("marketing preferences become unsubscribed and subscribed events", () => {
    expect(parse("user-preference-stop").events).toMatchObject([
      { type: "contact.unsubscribed", peer: "250788123123", dedupeKey: "message:ABGGFlA5FpafAgo6EhgL0gHNV4SSgP9a2mjx", topic: "marketing" },
    ]);
    expect(parse("user-preference-resume").events).toMatchObject([{ type: "contact.subscribed", topic: "marketing" }]);
  });

  it("a number change reports the new number and keeps the old one as the peer", () => {
    const [e] = parse("system").events;
    expect(e).toMatchObject({
      peer: "250788123123",
      message: { sender: { identities: [{ kind: "phone", value: "250788123123" }, { kind: "phone", value: "250788123124" }] } },
    });
  });

  it("top-level errors become channel errors", () => {
    expect(parse("errors").events).toEqual([
      expect.objectContaining({
        type: "channel.error",
        error: { code: "1014", title: "Internal error", detail: "Connection to the WhatsApp servers was lost" },
      }),
    ]);
  });

  it("a batch gives many events, and one bad item never drops the rest", () => {
    const { events, problems } = parse("batch");
    expect(events.map((e) => e.dedupeKey)).toEqual([
      "message:ABGGSW1",
      "message:ABGGSW3",
      "status:gBEGbatch1:sent",
      "status:gBEGbatch2:delivered",
    ]);
    expect(problems).toEqual(["messages[1]: message without id or sender", "statuses[1]: status 'warning' is not one the relay tracks"]);
  });

  it("hostile items are problems, never a throw, and never drop their neighbours", () => {
    const body = JSON.stringify({
      contacts: [{ wa_id: 7, profile: "x" }],
      messages: [
        null,
        { from: "250788123123", id: "A1", timestamp: "99999999999999999999", type: "text", text: { body: "far future" } },
        { from: "250788123123", id: "A2", timestamp: "1454119029", type: "image", image: { id: "m1", file_size: "2048", voice: "yes" } },
        { from: "250788123123", id: "A3", timestamp: "1454119029", type: "system", system: { type: "user_preference_changed", marketing: "maybe" } },
      ],
      statuses: [{ id: "S1", recipient_id: "250788123123", status: "delivered", timestamp: "1454119029", pricing: "free", conversation: { expiration_timestamp: -1 } }],
    });
    const { events, problems } = parseOnPremWebhook(bytes(body));
    expect(problems).toEqual([
      "messages[0]: not an object",
      expect.stringMatching(/^messages\[1\]: /),
      "messages[3]: preference 'maybe' is neither stop nor resume",
    ]);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ message: { content: { type: "image", mediaId: "m1", size: 2048 } } });
    expect(events[0]).not.toHaveProperty("message.content.voice");
    expect(events[1]).toEqual({
      type: "message.status",
      peer: "250788123123",
      dedupeKey: "status:S1:delivered",
      status: { platformMessageId: "S1", status: "delivered", timestamp: "2016-01-30T01:57:09.000Z" },
    });
  });

  it("a contact whose wa_id differs from the sender's number still names the lone sender", () => {
    const body = JSON.stringify({
      contacts: [{ profile: { name: "Ana" }, wa_id: "5511912345678" }],
      messages: [{ from: "551112345678", id: "A1", timestamp: "1454119029", type: "text", text: { body: "oi" } }],
    });
    expect(parseOnPremWebhook(bytes(body)).events[0]).toMatchObject({
      peer: "551112345678",
      message: {
        sender: {
          id: "551112345678",
          name: "Ana",
          identities: [
            { kind: "phone", value: "551112345678" },
            { kind: "phone", value: "5511912345678" },
          ],
        },
      },
    });
  });

  it("a body that is not JSON yields no events and a problem, never a throw", () => {
    expect(parseOnPremWebhook(bytes("<html>"))).toEqual({ events: [], problems: ["body is not JSON"] });
  });
});
