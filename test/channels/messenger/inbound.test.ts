import { describe, expect, it } from "vitest";
import { parseMessengerWebhook } from "../../../src/channels/messenger/inbound";
import type { ParsedEvent } from "../../../src/channels/types";
import { REEL_UNAVAILABLE } from "../../../src/channels/messenger/attachments";
import { InboundContent, type Referral } from "../../../src/model";
import { fixture, fixtures } from "../../support/fixtures";
import { MESSENGER_PAGE_ID } from "./account";

const account = { pageId: MESSENGER_PAGE_ID };
const bytes = (s: string) => new TextEncoder().encode(s);
const parse = (raw: string) => parseMessengerWebhook(bytes(raw), account, Date.parse("2030-01-01T00:00:00Z"));

const PSID = "1254459154682919";
const AT = "2026-01-01T00:00:00.123Z";
const WATERMARK = "2026-01-01T00:00:00.000Z";
const CDN = "https://scontent.xx.fbcdn.net/v";

/** The customer as the fixtures name them: the PSID, also as a Page-scoped identity. */
const CUSTOMER = { id: PSID, identities: [{ kind: "page_scoped_id" as const, value: PSID }] };
const REEL = "https://www.facebook.com/reel/123451234512345/";

/** A customer's message event as the fixtures give them (one PSID, one time). */
const received = (
  key: string,
  id: string,
  content: InboundContent,
  extra: { inReplyTo?: string; timestamp?: string; referral?: Referral } = {},
): ParsedEvent => ({
  type: "message.received",
  peer: PSID,
  dedupeKey: key,
  message: {
    platformMessageId: id,
    timestamp: extra.timestamp ?? AT,
    sender: CUSTOMER,
    content,
    ...(extra.inReplyTo && { inReplyTo: extra.inReplyTo }),
    ...(extra.referral && { referral: extra.referral }),
  },
});
const message = (mid: string, content: InboundContent, extra?: { inReplyTo?: string; referral?: Referral }) => received(`message:${mid}`, mid, content, extra);
const synthetic = (key: string, content: InboundContent, timestamp?: string) => received(key, key, content, { timestamp });
const status = (key: string, s: "delivered" | "read", ref: { platformMessageId: string } | { watermark: string }, peer = PSID): ParsedEvent => ({
  type: "message.status",
  peer,
  dedupeKey: key,
  status: { ...ref, status: s, timestamp: AT },
});
const raw = (name: string) => JSON.parse(fixture("messenger", name)) as { entry: { messaging: Record<string, unknown>[] }[] };
const firstItem = (name: string) => raw(name).entry[0]!.messaging[0]!;
/** A user_ref of the plugins, as the customer's id and only identity. */
const pluginUser = (ref: string) => ({ id: ref, identities: [{ kind: "opaque_id" as const, value: ref }] });
const AD: Referral = { source: "ad", type: "OPEN_THREAD", sourceId: "6045246247433", headline: "Summer sale: 20% off" };
const SPRING: Referral = { source: "shortlink", type: "OPEN_THREAD", ref: "spring-sale" };

/** Every fixture and exactly the events it gives. */
const EXPECTED: Record<string, ParsedEvent[]> = {
  text: [
    message("m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P", {
      type: "text",
      text: "Grüße aus Köln 😀",
    }),
  ],
  "quick-reply": [message("m_quickreply01", { type: "reply", id: "COLOR_GREEN", title: "Green", source: "quick_reply" })],
  "reply-to": [message("m_replyto01", { type: "text", text: "Yes, that one" }, { inReplyTo: "m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU" })],
  image: [message("m_image01", { type: "image", mediaId: `${CDN}/t1.15752-9/123_456_n.jpg?_nc_cat=1&oh=abc&oe=6A0B1C2D` })],
  audio: [
    message("m_audio01", {
      type: "audio",
      mediaId: "https://cdn.fbsbx.com/v/t59.3654-21/123_456_n.mp4/audioclip-1767225600000-2345.mp4?_nc_cat=1&oh=abc&oe=6A0B1C2D",
    }),
  ],
  video: [message("m_video01", { type: "video", mediaId: "https://video.xx.fbcdn.net/v/t42.3356-2/123_456_n.mp4?_nc_cat=1&oh=abc&oe=6A0B1C2D" })],
  file: [
    message("m_file01", {
      type: "document",
      mediaId: "https://cdn.fbsbx.com/v/t59.2708-21/123_456_n.pdf/Invoice%202026-01.pdf?_nc_cat=1&oh=abc&oe=6A0B1C2D",
      filename: "Invoice 2026-01.pdf",
    }),
  ],
  // During the 2026 transition a sticker comes twice (sticker + image with sticker_id): one event.
  sticker: [message("m_sticker01", { type: "sticker", mediaId: `${CDN}/t39.1997-6/851557_369239266556155_759568595_n.png?_nc_cat=1` })],
  "sticker-legacy": [message("m_sticker02", { type: "sticker", mediaId: `${CDN}/arst` })],
  location: [
    message("m_location01", {
      type: "location",
      latitude: 52.520008,
      longitude: 13.404954,
      name: "Pinned Location",
      url: "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.bing.com%2Fmaps%2Fdefault.aspx%3Fv%3D2%26pc%3DFACEBK%26mid%3D8100%26where1%3D52.520008%252C%2B13.404954",
    }),
  ],
  // A shared link alone: the link is what the customer sent.
  fallback: [message("m_fallback01", { type: "text", text: "https://example.com/article" })],
  // A shared reel: a link to it, no file.
  reel: [message("m_reel01", { type: "video", url: REEL, available: false, unavailableReason: REEL_UNAVAILABLE })],
  "message-edit": [
    {
      type: "message.edited",
      peer: PSID,
      dedupeKey: "edit:m_edited01:1",
      message: { platformMessageId: "m_edited01", timestamp: AT, sender: CUSTOMER, content: { type: "text", text: "Corrected text" } },
    },
  ],
  "message-referral": [message("m_fromad01", { type: "text", text: "Is this still available?" }, { referral: AD })],
  postback: [received("postback:m_postback01", "m_postback01", { type: "reply", id: "AGENT", title: "Talk to an agent", source: "postback" })],
  "postback-get-started": [
    synthetic(`postback:${PSID}:1767225600123:0667ca3a`, { type: "reply", id: "GET_STARTED", title: "Get Started", source: "postback" }),
  ],
  "postback-referral": [
    {
      type: "conversation.started",
      peer: PSID,
      dedupeKey: "started:postback:m_postback02",
      timestamp: AT,
      customer: CUSTOMER,
      trigger: "get_started",
      referral: SPRING,
    },
    received("postback:m_postback02", "m_postback02", { type: "reply", id: "GET_STARTED", title: "Get Started", source: "postback" }, { referral: SPRING }),
  ],
  reaction: [synthetic(`reaction:${PSID}:1767225600123:m_sent01:react`, { type: "reaction", emoji: "❤️", platformMessageId: "m_sent01" })],
  // An unreact names the reaction taken back (here by name only).
  "reaction-removed": [
    synthetic(
      `reaction:${PSID}:1767225605123:m_sent01:unreact`,
      { type: "reaction", emoji: "❤️", platformMessageId: "m_sent01", removed: true },
      "2026-01-01T00:00:05.123Z",
    ),
  ],
  delivery: [
    status("delivery:m_sent01", "delivered", { platformMessageId: "m_sent01" }),
    status("delivery:m_sent02", "delivered", { platformMessageId: "m_sent02" }),
    status(`delivery:${PSID}:1767225600000`, "delivered", { watermark: WATERMARK }),
  ],
  "delivery-watermark": [status(`delivery:${PSID}:1767225600000`, "delivered", { watermark: WATERMARK })],
  read: [status(`read:${PSID}:1767225600000`, "read", { watermark: WATERMARK })],
  "optin-notification-messages": [
    {
      type: "contact.subscribed",
      peer: PSID,
      dedupeKey: `optin:${PSID}:1767225600123:f38b13db`,
      timestamp: AT,
      customer: CUSTOMER,
      topic: "Bird Facts",
      token: "12345678901234567890",
      ref: "3456",
      expiresAt: "2038-01-01T00:00:00.000Z",
    },
  ],
  "optin-stop-notifications": [
    {
      type: "contact.unsubscribed",
      peer: PSID,
      dedupeKey: `optin:${PSID}:1767225700123:797d011f`,
      timestamp: "2026-01-01T00:01:40.123Z",
      customer: CUSTOMER,
      topic: "Bird Facts",
      reason: "stopped",
    },
  ],
  // The checkbox plugin sends no sender: the optin's user_ref names the customer.
  "optin-plugin": [
    {
      type: "contact.subscribed",
      peer: "a1b2c3d4-user-ref",
      dedupeKey: `optin:a1b2c3d4-user-ref:1767225600123:a3c79ec0`,
      timestamp: AT,
      customer: pluginUser("a1b2c3d4-user-ref"),
      ref: "checkout-page",
    },
  ],
  // Referrals have been seen with timestamps in seconds.
  referral: [
    {
      type: "conversation.referral",
      peer: PSID,
      dedupeKey: `referral:${PSID}:1767225600:55839a4e`,
      timestamp: "2026-01-01T00:00:00.000Z",
      customer: CUSTOMER,
      referral: SPRING,
    },
  ],
  "referral-ad": [
    {
      type: "conversation.referral",
      peer: PSID,
      dedupeKey: `referral:${PSID}:1767225600123:f1eea28b`,
      timestamp: AT,
      customer: CUSTOMER,
      referral: { ...AD, ref: "summer-ad" },
    },
  ],
  "referral-chat-plugin": [
    {
      type: "conversation.referral",
      peer: "f9e8d7c6-chat-plugin-ref",
      dedupeKey: `referral:f9e8d7c6-chat-plugin-ref:1767225600123:18fb45f8`,
      timestamp: AT,
      customer: pluginUser("f9e8d7c6-chat-plugin-ref"),
      referral: { source: "customer_chat_plugin", type: "OPEN_THREAD", ref: "pricing-page", url: "https://www.example.com/pricing" },
    },
  ],
  "policy-enforcement": [
    {
      type: "channel.error",
      dedupeKey: "policy-enforcement:1767225600123:30a3e552",
      error: {
        code: "policy-enforcement",
        title: "Messenger policy-enforcement event",
        detail:
          "block: The bot violated our Platform Policies (https://developers.facebook.com/policy/#messengerplatform). Common violations include sending out excessive spammy messages or being non-functional.",
      },
    },
  ],
  standby: [message("m_standby01", { type: "text", text: "Is anyone there?" })],
  unknown: [
    synthetic(`account_linking:${PSID}:1767225600123:9be088fe`, {
      type: "unsupported",
      platformType: "account_linking",
      raw: firstItem("unknown"),
    }),
  ],
  batch: [
    message("m_batch01", { type: "text", text: "first" }),
    message("m_batch02", { type: "image", mediaId: `${CDN}/one.jpg` }),
    received("message:m_batch02:1", "m_batch02", { type: "image", mediaId: `${CDN}/two.jpg` }),
    status("read:2345678901234567:1767225600000", "read", { watermark: WATERMARK }, "2345678901234567"),
  ],
};

describe("Messenger inbound", () => {
  it("has an expectation for every fixture, and a fixture for every expectation", () => {
    expect(Object.keys(fixtures("messenger")).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))("%s", (name, expected) => {
    const { events, problems } = parse(fixture("messenger", name));
    expect(events).toEqual(expected);
    if (name !== "batch") expect(problems).toEqual([]);
    for (const e of events) {
      if (e.type === "message.received") expect(InboundContent.safeParse(e.message.content).success, name).toBe(true);
    }
  });

  it("a batch keeps every good item: a bad item, an echo and another Page's entry never drop the rest", () => {
    const { problems, foreign } = parse(fixture("messenger", "batch"));
    expect(problems).toEqual(["entry[0].messaging[1]: message without mid", "entry[0].messaging[4]: not an object"]);
    // Another Page's entry is not a problem: the relay offers it to the tenant's account for that Page.
    expect(foreign).toBe(1);
  });

  it("drops the Page's own messages (echoes): they are not the customer's", () => {
    const echo = { object: "page", entry: [{ id: MESSENGER_PAGE_ID, messaging: [{ sender: { id: MESSENGER_PAGE_ID }, recipient: { id: PSID }, timestamp: 1, message: { is_echo: true, mid: "m_e", text: "hi" } }] }] };
    expect(parse(JSON.stringify(echo))).toEqual({ events: [], problems: [] });
  });

  it("parses the raw bytes as sent, escaped unicode included", () => {
    expect(fixture("messenger", "text")).toContain("\\u00fc\\u00dfe");
  });

  const item = (body: Record<string, unknown>) =>
    JSON.stringify({ object: "page", entry: [{ id: MESSENGER_PAGE_ID, time: 1767225600123, messaging: [{ sender: { id: PSID }, recipient: { id: MESSENGER_PAGE_ID }, ...body }] }] });

  it("a text with a link keeps the text and drops the link's fallback preview", () => {
    const { events } = parse(item({ timestamp: 1767225600123, message: { mid: "m_l", text: "see https://x.test", attachments: [{ type: "fallback", payload: { url: "https://x.test" } }] } }));
    expect(events).toEqual([message("m_l", { type: "text", text: "see https://x.test" })]);
  });

  it("a react without an emoji uses the reaction's name; a message without content is unsupported", () => {
    const [reaction] = parse(item({ timestamp: 1767225600123, reaction: { reaction: "like", action: "react", mid: "m_x" } })).events;
    expect(reaction?.type === "message.received" && reaction.message.content).toEqual({ type: "reaction", emoji: "👍", platformMessageId: "m_x" });
    const [empty] = parse(item({ timestamp: 1767225600123, message: { mid: "m_empty" } })).events;
    expect(empty?.type === "message.received" && empty.message.content).toEqual({ type: "unsupported", platformType: "message", raw: { mid: "m_empty" } });
  });

  it("an item without a timestamp takes its entry's time", () => {
    const [e] = parse(item({ message: { mid: "m_t", text: "x" } })).events;
    expect(e?.type === "message.received" && e.message.timestamp).toBe(AT);
  });

  it("receipts without what they need are problems, not events", () => {
    expect(parse(item({ timestamp: 1, read: {} }))).toEqual({ events: [], problems: ["entry[0].messaging[0]: read without watermark"] });
    expect(parse(item({ timestamp: 1, delivery: { mids: [] } }))).toEqual({
      events: [],
      problems: ["entry[0].messaging[0]: delivery without mids or watermark"],
    });
  });

  it("an unreact that names its emoji keeps it; one that names nothing has an empty emoji", () => {
    const [named] = parse(item({ timestamp: 1767225600123, reaction: { reaction: "other", emoji: "🎉", action: "unreact", mid: "m_x" } })).events;
    expect(named?.type === "message.received" && named.message.content).toEqual({ type: "reaction", emoji: "🎉", platformMessageId: "m_x", removed: true });
    const [bare] = parse(item({ timestamp: 1767225600123, reaction: { action: "unreact", mid: "m_x" } })).events;
    expect(bare?.type === "message.received" && bare.message.content).toEqual({ type: "reaction", emoji: "", platformMessageId: "m_x", removed: true });
  });

  it("each edit of a message is its own event; an edit without a mid is a problem", () => {
    const edit = (n: number) => item({ timestamp: 1767225600123 + n, message_edit: { mid: "m_e", text: `v${n}`, num_edit: n } });
    const keys = [1, 2].map((n) => parse(edit(n)).events[0]?.dedupeKey);
    expect(keys).toEqual(["edit:m_e:1", "edit:m_e:2"]);
    expect(parse(item({ timestamp: 1, message_edit: { text: "x" } }))).toEqual({ events: [], problems: ["entry[0].messaging[0]: message_edit without mid"] });
  });

  it("reads Marketing Messages stops in either spelling, and a resume subscribes again", () => {
    const optin = (status: string) =>
      parse(item({ timestamp: 1767225600123, optin: { type: "notification_messages", notification_messages_status: status, title: "Deals", notification_messages_token: "tok" } })).events[0];
    expect(optin("STOP_NOTIFICATIONS")).toMatchObject({ type: "contact.unsubscribed", topic: "Deals", reason: "stopped" });
    expect(optin("stop notifications")).toMatchObject({ type: "contact.unsubscribed" });
    expect(optin("RESUME NOTIFICATIONS")).toMatchObject({ type: "contact.subscribed", topic: "Deals", token: "tok" });
  });

  it("an optin or referral without anyone to name, or a referral naming nothing, is a problem", () => {
    const noSender = JSON.stringify({ object: "page", entry: [{ id: MESSENGER_PAGE_ID, messaging: [{ recipient: { id: MESSENGER_PAGE_ID }, timestamp: 1, optin: { ref: "x" } }] }] });
    expect(parse(noSender)).toEqual({ events: [], problems: ["entry[0].messaging[0]: optin without sender or user_ref"] });
    expect(parse(item({ timestamp: 1, referral: { foo: 1 } })).problems).toEqual(["entry[0].messaging[0]: referral without any of ref, source, type or ad"]);
  });

  it("a postback with a referral but no mid still gives both events, each with its own key", () => {
    const { events } = parse(item({ timestamp: 1767225600123, postback: { title: "Get Started", payload: "GO", referral: { ref: "r", source: "ADS", ad_id: 42 } } }));
    expect(events.map((e) => e.type)).toEqual(["conversation.started", "message.received"]);
    expect(events[0]).toMatchObject({ referral: { ref: "r", source: "ad", sourceId: "42" } });
    expect(new Set(events.map((e) => e.dedupeKey)).size).toBe(2);
  });

  it("a malformed token expiry is left out, never a thrown date", () => {
    const [e] = parse(item({ timestamp: 1767225600123, optin: { type: "notification_messages", notification_messages_token: "t", token_expiry_timestamp: 9e15 } })).events;
    expect(e).toMatchObject({ type: "contact.subscribed", token: "t" });
    expect(e && "expiresAt" in e).toBe(false);
  });

  it("refuses what is not a Page webhook, and never throws", () => {
    expect(parse("<html>")).toEqual({ events: [], problems: ["body is not JSON"] });
    expect(parse("[1]")).toEqual({ events: [], problems: ["body is not a JSON object"] });
    expect(parse(JSON.stringify({ object: "instagram", entry: [] }))).toEqual({
      events: [],
      problems: ["object 'instagram' is not a Messenger Page webhook"],
    });
  });
});
