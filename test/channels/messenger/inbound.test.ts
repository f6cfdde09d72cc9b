import { describe, expect, it } from "vitest";
import { parseMessengerWebhook } from "../../../src/channels/messenger/inbound";
import type { ParsedEvent } from "../../../src/channels/types";
import { InboundContent } from "../../../src/model";
import { fixture, fixtures } from "../../support/fixtures";
import { MESSENGER_PAGE_ID } from "./account";

const account = { pageId: MESSENGER_PAGE_ID };
const bytes = (s: string) => new TextEncoder().encode(s);
const parse = (raw: string) => parseMessengerWebhook(bytes(raw), account, Date.parse("2030-01-01T00:00:00Z"));

const PSID = "1254459154682919";
const AT = "2026-01-01T00:00:00.123Z";
const WATERMARK = "2026-01-01T00:00:00.000Z";
const CDN = "https://scontent.xx.fbcdn.net/v";

/** A customer's message event as the fixtures give them (one PSID, one time). */
const received = (key: string, id: string, content: InboundContent, extra: { inReplyTo?: string; timestamp?: string } = {}): ParsedEvent => ({
  type: "message.received",
  peer: PSID,
  dedupeKey: key,
  message: {
    platformMessageId: id,
    timestamp: extra.timestamp ?? AT,
    sender: { id: PSID },
    content,
    ...(extra.inReplyTo && { inReplyTo: extra.inReplyTo }),
  },
});
const message = (mid: string, content: InboundContent, extra?: { inReplyTo?: string }) => received(`message:${mid}`, mid, content, extra);
const synthetic = (key: string, content: InboundContent, timestamp?: string) => received(key, key, content, { timestamp });
const status = (key: string, s: "delivered" | "read", ref: { platformMessageId: string } | { watermark: string }, peer = PSID): ParsedEvent => ({
  type: "message.status",
  peer,
  dedupeKey: key,
  status: { ...ref, status: s, timestamp: AT },
});
const raw = (name: string) => JSON.parse(fixture("messenger", name)) as { entry: { messaging: Record<string, unknown>[] }[] };
const firstItem = (name: string) => raw(name).entry[0]!.messaging[0]!;

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
  fallback: [
    message("m_fallback01", {
      type: "unsupported",
      platformType: "fallback",
      raw: { type: "fallback", payload: { url: "https://example.com/article", title: "An article" } },
    }),
  ],
  reel: [
    message("m_reel01", {
      type: "unsupported",
      platformType: "reel",
      raw: { type: "reel", payload: { url: "https://www.facebook.com/reel/123451234512345/", reel_video_id: 123451234512345 } },
    }),
  ],
  postback: [received("postback:m_postback01", "m_postback01", { type: "reply", id: "AGENT", title: "Talk to an agent", source: "postback" })],
  "postback-get-started": [
    synthetic(`postback:${PSID}:1767225600123:0667ca3a`, { type: "reply", id: "GET_STARTED", title: "Get Started", source: "postback" }),
  ],
  reaction: [synthetic(`reaction:${PSID}:1767225600123:m_sent01:react`, { type: "reaction", emoji: "❤️", platformMessageId: "m_sent01" })],
  "reaction-removed": [
    synthetic(`reaction:${PSID}:1767225605123:m_sent01:unreact`, { type: "reaction", emoji: "", platformMessageId: "m_sent01" }, "2026-01-01T00:00:05.123Z"),
  ],
  delivery: [
    status("delivery:m_sent01", "delivered", { platformMessageId: "m_sent01" }),
    status("delivery:m_sent02", "delivered", { platformMessageId: "m_sent02" }),
    status(`delivery:${PSID}:1767225600000`, "delivered", { watermark: WATERMARK }),
  ],
  "delivery-watermark": [status(`delivery:${PSID}:1767225600000`, "delivered", { watermark: WATERMARK })],
  read: [status(`read:${PSID}:1767225600000`, "read", { watermark: WATERMARK })],
  optin: [synthetic(`optin:${PSID}:1767225600123:f38b13db`, { type: "unsupported", platformType: "optin", raw: firstItem("optin") })],
  // Referrals have been seen with timestamps in seconds.
  referral: [
    synthetic(
      `referral:${PSID}:1767225600:55839a4e`,
      { type: "unsupported", platformType: "referral", raw: firstItem("referral") },
      "2026-01-01T00:00:00.000Z",
    ),
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
    synthetic(`message_edit:${PSID}:1767225600123:4ec23a22`, { type: "unsupported", platformType: "message_edit", raw: firstItem("unknown") }),
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

  it("refuses what is not a Page webhook, and never throws", () => {
    expect(parse("<html>")).toEqual({ events: [], problems: ["body is not JSON"] });
    expect(parse("[1]")).toEqual({ events: [], problems: ["body is not a JSON object"] });
    expect(parse(JSON.stringify({ object: "instagram", entry: [] }))).toEqual({
      events: [],
      problems: ["object 'instagram' is not a Messenger Page webhook"],
    });
  });
});
