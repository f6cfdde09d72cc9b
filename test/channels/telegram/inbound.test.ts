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

const NIC = { id: "3527065", name: "Nic Pottier" };
/** A received message from Nic in his private chat with the bot. */
const fromNic = (update: number, message: number, date: string, content: InboundContent, extra: object = {}) => ({
  type: "message.received",
  peer: "3527065",
  dedupeKey: `update:${update}`,
  message: { platformMessageId: `3527065:${message}`, timestamp: date, sender: NIC, content, ...extra },
});

describe("Telegram inbound", () => {
  it("parses every fixture into events valid against the unified model, without the bot token", () => {
    const all = fixtures("telegram");
    expect(Object.keys(all).length).toBeGreaterThanOrEqual(20);
    for (const [name, raw] of Object.entries(all)) {
      const { events } = parseTelegramWebhook(bytes(raw), NOW);
      expect(events.length, name).toBeGreaterThan(0);
      for (const e of events) {
        expect(e.type, name).toBe("message.received");
        if (e.type === "message.received") expect(InboundContent.safeParse(e.message.content).success, name).toBe(true);
        expect(JSON.stringify(e)).not.toContain(TELEGRAM_BOT_TOKEN.split(":")[1]);
      }
    }
  });

  it.each([
    ["text", fromNic(900946524, 84, "2017-05-03T20:28:38.000Z", { type: "text", text: "Hello World" })],
    ["command", fromNic(174114370, 41, "2016-01-30T01:57:09.000Z", { type: "text", text: "/start see https://example.com" })],
    [
      "photo",
      fromNic(900946525, 85, "2017-05-03T20:28:38.000Z", {
        type: "image",
        // The largest of the four sizes.
        mediaId: "AgADAQADtKcxG4LRUUQSQVUjfJIiiF8G6C8ABA9NJzFdXskaincBAAEC",
        caption: "Photo Caption",
      }),
    ],
    [
      "video",
      fromNic(900946526, 86, "2017-05-03T20:29:24.000Z", {
        type: "video",
        mediaId: "BAADAQADBgADgtFRRPFTAAHxLVw76wI",
        mimeType: "video/mp4",
        caption: "My vid!",
      }),
    ],
    [
      "voice",
      fromNic(900946531, 91, "2017-05-03T20:50:46.000Z", {
        type: "audio",
        mediaId: "AwADAQADCQADgtFRRGn8KrC-0D_MAg",
        mimeType: "audio/ogg",
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
      }),
    ],
    [
      "document",
      fromNic(900946532, 92, "2017-05-03T20:58:20.000Z", {
        type: "document",
        mediaId: "BQADAQADCgADgtFRRPrv9GQ95f8eAg",
        mimeType: "application/vnd.ms-excel",
        filename: "TabFig2015prel.xls",
        caption: "the figures",
      }),
    ],
    [
      "video-note",
      fromNic(900946540, 100, "2017-05-03T21:13:20.000Z", { type: "video", mediaId: "DQACAgIAAxkBAAIBZGZ6videonote00000000000" }),
    ],
    [
      "animation",
      fromNic(900946541, 101, "2017-05-03T21:15:00.000Z", {
        type: "video",
        mediaId: "CgACAgQAAxkBAAIBZWZ6animation000000000",
        mimeType: "video/mp4",
        filename: "dancing.mp4",
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
        },
      },
    ],
  ])("%s", (name, expected) => {
    expect(one(name)).toEqual(expected);
  });

  it("sticker keeps its file id", () => {
    expect(one("sticker")).toMatchObject({
      peer: "3527065",
      message: { sender: { id: "3527065", name: "Nic Pottier" }, content: { type: "sticker", mediaId: "BQADAwADRQADyIsGAAHtBskMy6GoLAI" } },
    });
  });

  it("a removed reaction is a reaction with an empty emoji", () => {
    expect(one("reaction-removed")).toMatchObject({
      dedupeKey: "update:900946544",
      message: { content: { type: "reaction", emoji: "", platformMessageId: "3527065:133" } },
    });
  });

  it("an inline button tap is a button reply with its callback data as id and its label as title", () => {
    expect(one("callback-query")).toEqual({
      type: "message.received",
      peer: "1111111",
      dedupeKey: "update:10000",
      message: {
        platformMessageId: "callback:4382bfdwdsb323b2d9",
        timestamp: "2026-01-02T03:04:05.000Z",
        sender: { id: "1111111", name: "Test Firstname" },
        content: { type: "reply", id: "button_payload", title: "Yes, very", source: "button" },
        inReplyTo: "1111111:1365",
      },
    });
    // The message is no longer accessible: no keyboard to read the label from.
    expect(one("callback-query-inaccessible")).toMatchObject({
      peer: "1111111",
      message: { content: { type: "reply", id: "no", title: "no", source: "button" }, inReplyTo: "1111111:1366" },
    });
  });

  it("group and channel chats keep their negative ids exactly; a channel post is sent by the channel", () => {
    expect(one("group-text")).toEqual({
      type: "message.received",
      peer: "-1001987654321",
      dedupeKey: "update:900946547",
      message: {
        platformMessageId: "-1001987654321:7",
        timestamp: "2023-11-14T22:13:20.000Z",
        sender: { id: "4503599627370495", name: "Ada" },
        content: { type: "text", text: "Hi from the group" },
      },
    });
    expect(one("channel-post")).toMatchObject({
      peer: "-1001234567890",
      message: { sender: { id: "-1001234567890", name: "Sandbox News" }, content: { type: "text", text: "New opening hours" } },
    });
  });

  it.each([
    ["poll", "poll", "3527065", "3527065:103"],
    ["edited-message", "edited_message", "3527065", "3527065:84"],
    ["unknown", "my_chat_member", "3527065", "update:900946549"],
  ])("%s becomes unsupported content that still reaches the business", (name, platformType, peer, platformMessageId) => {
    const e = one(name);
    expect(e).toMatchObject({ type: "message.received", peer, message: { platformMessageId, content: { type: "unsupported", platformType } } });
    expect(e.type === "message.received" && e.message.content.type === "unsupported" && e.message.content.raw).toBeTruthy();
  });

  it("an edited message is dated by its edit", () => {
    expect(one("edited-message")).toMatchObject({ message: { timestamp: "2017-05-03T20:30:00.000Z", sender: NIC } });
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
