import { describe, expect, it } from "vitest";
import { telegram } from "../../../src/channels/telegram";
import { parseTelegramWebhook } from "../../../src/channels/telegram/inbound";
import { verifyTelegramWebhook } from "../../../src/channels/telegram/verify";
import type { ParsedEvent } from "../../../src/channels/types";
import { InboundContent } from "../../../src/model";
import { fixture, fixtures } from "../../support/fixtures";
import { TELEGRAM_BOT_TOKEN, TELEGRAM_SECRET_TOKEN, testAccount } from "./account";

const bytes = (s: string) => new TextEncoder().encode(s);
/** A fixed "now" for the events Telegram gives no date (callback queries). */
const NOW = Date.parse("2026-01-02T03:04:05.000Z");
const parse = (name: string) => parseTelegramWebhook(bytes(fixture("telegram", name)), NOW);
const one = (name: string): ParsedEvent => {
  const { events, problems } = parse(name);
  expect(problems, name).toEqual([]);
  expect(events, name).toHaveLength(1);
  return events[0]!;
};

/** Nic as most fixtures describe him: his user id and username, each also an identity. */
const NIC = {
  id: "3527065",
  name: "Nic Pottier",
  username: "Nicpottier",
  identities: [
    { kind: "user_id" as const, value: "3527065" },
    { kind: "username" as const, value: "Nicpottier" },
  ],
};
const PRIVATE = { kind: "private" as const };
/** A received message from Nic in his private chat with the bot. */
const fromNic = (update: number, message: number, date: string, content: InboundContent, extra: object = {}) => ({
  type: "message.received",
  peer: "3527065",
  dedupeKey: `update:${update}`,
  message: { platformMessageId: `3527065:${message}`, timestamp: date, sender: NIC, content, chat: PRIVATE, ...extra },
});

describe("Telegram inbound", () => {
  it("parses every fixture into events valid against the unified model, without the bot token", () => {
    const all = fixtures("telegram");
    expect(Object.keys(all).length).toBeGreaterThanOrEqual(20);
    for (const [name, raw] of Object.entries(all)) {
      const { events } = parseTelegramWebhook(bytes(raw), NOW);
      expect(events.length, name).toBeGreaterThan(0);
      for (const e of events) {
        // Bots get no receipts, and Telegram reports nothing account-wide.
        expect(["message.status", "channel.error"], name).not.toContain(e.type);
        if (e.type === "message.received" || e.type === "message.edited") expect(InboundContent.safeParse(e.message.content).success, name).toBe(true);
        expect(JSON.stringify(e)).not.toContain(TELEGRAM_BOT_TOKEN.split(":")[1]);
      }
    }
  });

  it.each([
    ["text", fromNic(900946524, 84, "2017-05-03T20:28:38.000Z", { type: "text", text: "Hello World" }, { sender: { ...NIC, language: "en" } })],
    [
      "command",
      fromNic(
        174114370,
        41,
        "2016-01-30T01:57:09.000Z",
        { type: "text", text: "/help see https://example.com" },
        { sender: { ...NIC, username: "nicpottier", language: "en", identities: [NIC.identities[0], { kind: "username", value: "nicpottier" }] } },
      ),
    ],
    [
      "photo",
      fromNic(900946525, 85, "2017-05-03T20:28:38.000Z", {
        type: "image",
        // The largest of the four sizes.
        mediaId: "AgADAQADtKcxG4LRUUQSQVUjfJIiiF8G6C8ABA9NJzFdXskaincBAAEC",
        size: 104737,
        width: 720,
        height: 1280,
        caption: "Photo Caption",
      }),
    ],
    [
      "video",
      fromNic(900946526, 86, "2017-05-03T20:29:24.000Z", {
        type: "video",
        mediaId: "BAADAQADBgADgtFRRPFTAAHxLVw76wI",
        mimeType: "video/mp4",
        size: 257507,
        width: 360,
        height: 640,
        durationSeconds: 1,
        caption: "My vid!",
      }),
    ],
    [
      "voice",
      fromNic(900946531, 91, "2017-05-03T20:50:46.000Z", {
        type: "audio",
        mediaId: "AwADAQADCQADgtFRRGn8KrC-0D_MAg",
        mimeType: "audio/ogg",
        size: 4288,
        durationSeconds: 1,
        voice: true,
      }),
    ],
    [
      "audio",
      fromNic(900946533, 93, "2017-05-03T20:56:40.000Z", {
        type: "audio",
        mediaId: "CQACAgIAAxkBAAIBXWX1audio0000000000000000000",
        mimeType: "audio/mpeg",
        filename: "test-song.mp3",
        size: 2945231,
        durationSeconds: 184,
      }),
    ],
    [
      "document",
      fromNic(900946532, 92, "2017-05-03T20:58:20.000Z", {
        type: "document",
        mediaId: "BQADAQADCgADgtFRRPrv9GQ95f8eAg",
        mimeType: "application/vnd.ms-excel",
        filename: "TabFig2015prel.xls",
        size: 4540928,
        caption: "the figures",
      }),
    ],
    [
      "video-note",
      // A video note is square: its `length` is both sides.
      fromNic(900946540, 100, "2017-05-03T21:13:20.000Z", {
        type: "video",
        mediaId: "DQACAgIAAxkBAAIBZGZ6videonote00000000000",
        size: 180233,
        width: 240,
        height: 240,
        durationSeconds: 4,
      }),
    ],
    [
      "animation",
      fromNic(900946541, 101, "2017-05-03T21:15:00.000Z", {
        type: "video",
        mediaId: "CgACAgQAAxkBAAIBZWZ6animation000000000",
        mimeType: "video/mp4",
        filename: "dancing.mp4",
        size: 98304,
        width: 320,
        height: 240,
        durationSeconds: 3,
        animated: true,
      }),
    ],
    [
      "location",
      fromNic(900946534, 94, "2017-05-03T21:00:44.000Z", { type: "location", latitude: -2.890287, longitude: -79.004333 }),
    ],
    [
      "venue",
      fromNic(900946535, 95, "2017-05-03T21:05:20.000Z", {
        type: "location",
        latitude: -2.898944,
        longitude: -79.006835,
        name: "Cuenca",
        address: "Provincia del Azuay",
      }),
    ],
    [
      "contact",
      fromNic(900946536, 96, "2017-05-03T21:09:15.000Z", { type: "contacts", contacts: [{ name: "Adolf Taxi", phones: ["0788531373"] }] }),
    ],
    [
      "reply",
      fromNic(900946542, 102, "2017-05-03T21:16:40.000Z", { type: "text", text: "Yes, very" }, { inReplyTo: "3527065:133" }),
    ],
    [
      "reaction",
      {
        type: "message.received",
        peer: "3527065",
        dedupeKey: "update:900946543",
        message: {
          platformMessageId: "reaction:900946543",
          timestamp: "2017-05-03T21:18:20.000Z",
          sender: NIC,
          // 👍 was already set: ❤ is the one just added.
          content: { type: "reaction", emoji: "❤", platformMessageId: "3527065:133" },
          inReplyTo: "3527065:133",
          chat: PRIVATE,
        },
      },
    ],
  ])("%s", (name, expected) => {
    expect(one(name)).toEqual(expected);
  });

  it("sticker keeps its file id and size; an animated or video sticker is animated", () => {
    const sticker = one("sticker");
    expect(sticker).toMatchObject({ peer: "3527065", message: { sender: { id: "3527065", name: "Nic Pottier" } } });
    expect(sticker.type === "message.received" && sticker.message.content).toEqual({
      type: "sticker",
      mediaId: "BQADAwADRQADyIsGAAHtBskMy6GoLAI",
      size: 38440,
      width: 436,
      height: 512,
    });
    for (const flag of ["is_animated", "is_video"]) {
      const update = { update_id: 1, message: { message_id: 1, chat: { id: 1, type: "private" }, date: 1, sticker: { file_id: "s", [flag]: true } } };
      const [e] = parseTelegramWebhook(bytes(JSON.stringify(update)), NOW).events;
      expect(e?.type === "message.received" && e.message.content, flag).toMatchObject({ type: "sticker", animated: true });
    }
  });

  it("a removed reaction names the emoji taken back; a replaced one gives the removal, then the addition", () => {
    expect(one("reaction-removed")).toMatchObject({
      dedupeKey: "update:900946544",
      message: { platformMessageId: "reaction:900946544", content: { type: "reaction", emoji: "👍", platformMessageId: "3527065:133", removed: true } },
    });
    const { events } = parse("reaction-changed");
    expect(events.map((e) => [e.dedupeKey, e.type === "message.received" && e.message.platformMessageId, e.type === "message.received" && e.message.content])).toEqual([
      ["update:900946557", "reaction:900946557", { type: "reaction", emoji: "👍", platformMessageId: "3527065:133", removed: true }],
      ["update:900946557:1", "reaction:900946557:1", { type: "reaction", emoji: "🔥", platformMessageId: "3527065:133" }],
    ]);
  });

  it("a change of custom emoji reactions only still reaches the business, as unsupported", () => {
    const reaction = { chat: { id: 5, type: "private" }, message_id: 9, date: 1, old_reaction: [], new_reaction: [{ type: "custom_emoji", custom_emoji_id: "5368" }] };
    const [e] = parseTelegramWebhook(bytes(JSON.stringify({ update_id: 2, message_reaction: reaction })), NOW).events;
    expect(e).toMatchObject({ type: "message.received", peer: "5", message: { content: { type: "unsupported", platformType: "message_reaction" } } });
  });

  it("an inline button tap is a button reply with its callback data as id and its label as title", () => {
    expect(one("callback-query")).toEqual({
      type: "message.received",
      peer: "1111111",
      dedupeKey: "update:10000",
      message: {
        platformMessageId: "callback:4382bfdwdsb323b2d9",
        timestamp: "2026-01-02T03:04:05.000Z",
        sender: {
          id: "1111111",
          name: "Test Firstname",
          username: "Testusername",
          language: "en",
          identities: [
            { kind: "user_id", value: "1111111" },
            { kind: "username", value: "Testusername" },
          ],
        },
        content: { type: "reply", id: "button_payload", title: "Yes, very", source: "button" },
        inReplyTo: "1111111:1365",
        chat: PRIVATE,
      },
    });
    // The message is no longer accessible: no keyboard to read the label from.
    expect(one("callback-query-inaccessible")).toMatchObject({
      peer: "1111111",
      message: { content: { type: "reply", id: "no", title: "no", source: "button" }, inReplyTo: "1111111:1366" },
    });
  });

  it("group and channel chats keep their negative ids exactly and say their kind; a channel post is sent by the channel", () => {
    expect(one("group-text")).toEqual({
      type: "message.received",
      peer: "-1001987654321",
      dedupeKey: "update:900946547",
      message: {
        platformMessageId: "-1001987654321:7",
        timestamp: "2023-11-14T22:13:20.000Z",
        sender: {
          id: "4503599627370495",
          name: "Ada",
          username: "ada_l",
          identities: [
            { kind: "user_id", value: "4503599627370495" },
            { kind: "username", value: "ada_l" },
          ],
        },
        content: { type: "text", text: "Hi from the group" },
        chat: { kind: "supergroup", title: "Sandbox Support" },
      },
    });
    expect(one("channel-post")).toMatchObject({
      peer: "-1001234567890",
      message: {
        // A channel is no user: its username is its only identity.
        sender: { id: "-1001234567890", name: "Sandbox News", username: "sandbox_news", identities: [{ kind: "username", value: "sandbox_news" }] },
        content: { type: "text", text: "New opening hours" },
        chat: { kind: "channel", title: "Sandbox News" },
      },
    });
  });

  it("a /start in a private chat opens the conversation first, with its payload as the referral; /start in a group does not", () => {
    const { events, problems } = parse("start");
    expect(problems).toEqual([]);
    expect(events).toEqual([
      {
        type: "conversation.started",
        peer: "3527065",
        dedupeKey: "update:900946555:start",
        timestamp: "2017-05-03T21:28:20.000Z",
        customer: { ...NIC, language: "en" },
        trigger: "start",
        referral: { ref: "spring-sale" },
      },
      fromNic(900946555, 104, "2017-05-03T21:28:20.000Z", { type: "text", text: "/start spring-sale" }, { sender: { ...NIC, language: "en" }, referral: { ref: "spring-sale" } }),
    ]);
    const update = (text: string, type: string) =>
      bytes(JSON.stringify({ update_id: 3, message: { message_id: 1, from: { id: 7, first_name: "Bo" }, chat: { id: type === "private" ? 7 : -7, type }, date: 1, text } }));
    expect(parseTelegramWebhook(update("/start", "private"), NOW).events.map((e) => [e.type, e.dedupeKey, "referral" in e])).toEqual([
      ["conversation.started", "update:3:start", false],
      ["message.received", "update:3", false],
    ]);
    expect(parseTelegramWebhook(update("/start@sandbox_bot abc", "private"), NOW).events[0]).toMatchObject({ referral: { ref: "abc" } });
    expect(parseTelegramWebhook(update("/start abc", "group"), NOW).events.map((e) => e.type)).toEqual(["message.received"]);
    expect(parseTelegramWebhook(update("/starting", "private"), NOW).events.map((e) => e.type)).toEqual(["message.received"]);
  });

  it("a forwarded message says so", () => {
    expect(one("forwarded")).toMatchObject({ type: "message.received", message: { forwarded: true, content: { type: "text", text: "Can you ship to Cuenca?" } } });
    expect(one("text")).not.toHaveProperty("message.forwarded");
  });

  it("edits are message.edited under the edited message's id, dated by the edit", () => {
    expect(one("edited-message")).toEqual({
      type: "message.edited",
      peer: "3527065",
      dedupeKey: "update:900946545",
      message: {
        platformMessageId: "3527065:84",
        timestamp: "2017-05-03T20:30:00.000Z",
        sender: { ...NIC, language: "en" },
        content: { type: "text", text: "Hello World!" },
        chat: PRIVATE,
      },
    });
    expect(one("edited-channel-post")).toMatchObject({
      type: "message.edited",
      peer: "-1001234567890",
      message: { platformMessageId: "-1001234567890:12", timestamp: "2017-05-03T21:22:40.000Z", content: { type: "text", text: "New opening hours: 9 to 17" } },
    });
  });

  it("the bot blocked or unblocked in a private chat unsubscribes or subscribes the customer", () => {
    expect(one("my-chat-member-blocked")).toEqual({
      type: "contact.unsubscribed",
      peer: "3527065",
      dedupeKey: "update:900946549",
      timestamp: "2017-05-03T21:25:00.000Z",
      customer: NIC,
      reason: "blocked",
    });
    expect(one("my-chat-member-unblocked")).toEqual({
      type: "contact.subscribed",
      peer: "3527065",
      dedupeKey: "update:900946551",
      timestamp: "2017-05-03T21:26:40.000Z",
      customer: { ...NIC, language: "en" },
    });
  });

  it("the bot added to a group opens a conversation with it; removed, closes it; a promotion is passed on as unsupported", () => {
    const ADA = {
      id: "4503599627370495",
      name: "Ada",
      username: "ada_l",
      language: "de",
      identities: [
        { kind: "user_id", value: "4503599627370495" },
        { kind: "username", value: "ada_l" },
      ],
    };
    expect(one("my-chat-member-added")).toEqual({
      type: "conversation.started",
      peer: "-1001987654321",
      dedupeKey: "update:900946552",
      timestamp: "2023-11-14T21:56:40.000Z",
      customer: ADA,
      trigger: "added",
    });
    expect(one("my-chat-member-removed")).toEqual({
      type: "conversation.closed",
      peer: "-1001987654321",
      dedupeKey: "update:900946553",
      timestamp: "2023-11-16T02:00:00.000Z",
      customer: ADA,
    });
    const promoted = {
      update_id: 4,
      my_chat_member: {
        chat: { id: -5, type: "group", title: "G" },
        from: { id: 7, first_name: "Bo" },
        date: 1,
        old_chat_member: { status: "member" },
        new_chat_member: { status: "administrator" },
      },
    };
    expect(parseTelegramWebhook(bytes(JSON.stringify(promoted)), NOW).events[0]).toMatchObject({
      type: "message.received",
      peer: "-5",
      message: { content: { type: "unsupported", platformType: "my_chat_member" } },
    });
  });

  it.each([
    ["poll", "poll", "3527065", "3527065:103"],
    ["unknown", "inline_query", "3527065", "update:900946550"],
  ])("%s becomes unsupported content that still reaches the business", (name, platformType, peer, platformMessageId) => {
    const e = one(name);
    expect(e).toMatchObject({ type: "message.received", peer, message: { platformMessageId, content: { type: "unsupported", platformType } } });
    expect(e.type === "message.received" && e.message.content.type === "unsupported" && e.message.content.raw).toBeTruthy();
  });

  it("a batch gives many events, and one bad update never drops the rest", () => {
    const { events, problems } = parse("batch");
    expect(events.map((e) => e.dedupeKey)).toEqual(["update:700000001", "update:700000003", "update:700000005"]);
    expect(events.map((e) => (e.type === "message.received" ? e.message.content.type : e.type))).toEqual(["text", "location", "reply"]);
    expect(problems).toEqual(["update[1] (700000002): message without chat or message_id", "update[3]: not an object"]);
  });

  it("accepts a getUpdates answer as a batch", () => {
    const body = `{"ok":true,"result":[${fixture("telegram", "text")},${fixture("telegram", "location")}]}`;
    expect(parseTelegramWebhook(bytes(body), NOW).events.map((e) => e.dedupeKey)).toEqual(["update:900946524", "update:900946534"]);
  });

  it("a body that is not an update yields no events and a problem, never a throw", () => {
    expect(parseTelegramWebhook(bytes("<html>"))).toEqual({ events: [], problems: ["body is not JSON"] });
    expect(parseTelegramWebhook(bytes("42"))).toEqual({ events: [], problems: ["body is not an update"] });
    expect(parseTelegramWebhook(bytes('{"update_id":1}'))).toEqual({ events: [], problems: ["update[0] (1): update carries nothing"] });
    expect(parseTelegramWebhook(bytes('{"message":{}}')).problems).toEqual(["update[0]: update without update_id"]);
  });
});

describe("Telegram webhook verification", () => {
  const account = telegram.accountSchema.parse(testAccount("http://127.0.0.1:9"));
  const request = (headers: Record<string, string>, url = "https://relay.test/webhooks/telegram/telegram-test") => ({
    method: "POST",
    url: new URL(url),
    headers: new Headers(headers),
    body: bytes(fixture("telegram", "text")),
  });

  it("accepts the secret token in Telegram's header only", async () => {
    expect(await verifyTelegramWebhook(request({ "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET_TOKEN }), account)).toBe(true);
    expect(await verifyTelegramWebhook(request({}), account)).toBe(false);
    expect(await verifyTelegramWebhook(request({ "x-telegram-bot-api-secret-token": "" }), account)).toBe(false);
    expect(await verifyTelegramWebhook(request({ "x-telegram-bot-api-secret-token": `${TELEGRAM_SECRET_TOKEN}x` }), account)).toBe(false);
    expect(await verifyTelegramWebhook(request({ "x-telegram-bot-api-secret-token": TELEGRAM_SECRET_TOKEN.slice(1) }), account)).toBe(false);
    expect(
      await verifyTelegramWebhook(
        request({ authorization: `Bearer ${TELEGRAM_SECRET_TOKEN}` }, `https://relay.test/webhooks/telegram/telegram-test?secret_token=${TELEGRAM_SECRET_TOKEN}`),
        account,
      ),
    ).toBe(false);
  });
});
