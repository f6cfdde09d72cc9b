import { describe, expect, it } from "vitest";
import { viber } from "../../../src/channels/viber";
import { ViberAccount } from "../../../src/channels/viber/account";
import { parseViberWebhook } from "../../../src/channels/viber/inbound";
import { parseViberJson, SOURCE_TEXT_ACCESS } from "../../../src/channels/viber/json";
import {
  isFreshViberEvent,
  MAX_EVENT_AGE_MS,
  verifyViberWebhook,
  viberHandshake,
  viberSignatureMatches,
} from "../../../src/channels/viber/verify";
import type { ParsedEvent, WebhookRequest } from "../../../src/channels/types";
import type { Customer, InboundContent } from "../../../src/model";
import { fixture, fixtures } from "../../support/fixtures";
import { testAccount, VIBER_AUTH_TOKEN } from "./account";
import { freshViberBody, viberSignature } from "./kit";

const bytes = (s: string) => new TextEncoder().encode(s);
const parse = (name: string) => parseViberWebhook(bytes(fixture("viber", name)));
const account = ViberAccount.parse(testAccount("http://127.0.0.1:9"));

const CUSTOMER = "xy5/5y6O81+/kbWHpLhBoA==";
/** Every Viber customer carries its user id as an identity. */
const customer = (id: string, more: Omit<Customer, "id" | "identities"> = {}): Customer => ({ id, ...more, identities: [{ kind: "user_id", value: id }] });
const ET3 = customer(CUSTOMER, { name: "ET3" });
const message = (token: string, timestamp: string, content: InboundContent, sender: Customer = ET3): ParsedEvent => ({
  type: "message.received",
  peer: sender.id,
  dedupeKey: `message:${token}`,
  message: { platformMessageId: token, timestamp, sender, content },
});

describe("Viber inbound", () => {
  it("keeps 64-bit message tokens exact: JSON.parse source text access works in workerd, and the fallback too", () => {
    expect(SOURCE_TEXT_ACCESS).toBe(true);
    const text = '{"a":1,"message_token":5491231451212373001,"nested":{"message_token":5491231451212373002},"s":"\\"message_token\\":7"}';
    for (const sourceAccess of [true, false]) {
      expect(parseViberJson(text, sourceAccess)).toEqual({
        a: 1,
        message_token: "5491231451212373001",
        nested: { message_token: "5491231451212373002" },
        s: '"message_token":7',
      });
    }
    expect(JSON.parse(text).message_token).toBe(5491231451212373000);
  });

  it.each<[string, ParsedEvent]>([
    [
      "text",
      message(
        "5491231451212373001",
        "2016-12-07T20:21:52.807Z",
        { type: "text", text: "incoming msg" },
        customer(CUSTOMER, { name: "ET3", avatarUrl: "http://avatar_url", language: "en", country: "IL" }),
      ),
    ],
    ["url", message("5491231451212373002", "2016-12-07T20:21:52.808Z", { type: "text", text: "http://foo.com/" })],
    [
      "picture",
      message("4987381189870374000", "2016-12-07T20:21:52.807Z", {
        type: "image",
        mediaId: "https://dl-media.viber.com/1/share/2/long/vibes/icon/image/0x0/95e0/5688fdffdf2bc7de8a34a5b7fca3a8b1.jpg",
        caption: "caption",
        filename: "photo.jpg",
        size: 12345,
      }),
    ],
    [
      "video",
      message("4987381189870374011", "2016-12-07T20:21:53.807Z", {
        type: "video",
        mediaId: "https://dl-media.viber.com/5/share/2/long/vibes/video/0x0/7c1d/clip.mp4",
        size: 1048576,
        durationSeconds: 12,
      }),
    ],
    [
      "file",
      message("4987381189870374022", "2016-12-07T20:21:54.807Z", {
        type: "document",
        mediaId: "https://dl-media.viber.com/5/share/2/long/vibes/file/0x0/1f2e/invoice.pdf",
        filename: "invoice.pdf",
        size: 45231,
      }),
    ],
    [
      "sticker",
      message("4987381189870374033", "2016-12-07T20:21:52.807Z", {
        type: "sticker",
        mediaId: "40133",
        url: "https://viber.github.io/docs/img/stickers/40133.png",
      }),
    ],
    [
      "contact",
      message("4987381189870374044", "2016-12-07T20:21:52.807Z", {
        type: "contacts",
        contacts: [{ name: "Alex", phones: ["+12067799191"] }],
      }),
    ],
    ["location", message("4987381189870374055", "2016-12-07T20:21:52.807Z", { type: "location", latitude: 1.2, longitude: -1.3 })],
    [
      "button-reply",
      message("4987381189870374066", "2016-12-07T20:21:55.807Z", { type: "reply", id: "confirm-yes", title: "Yes please", source: "button" }),
    ],
    [
      "unknown-type",
      message("4987381189870374077", "2016-12-07T20:21:52.807Z", {
        type: "unsupported",
        platformType: "unknown",
        raw: { type: "unknown", text: "incoming msg", tracking_data: "3055" },
      }),
    ],
    [
      "status-delivered",
      {
        type: "message.status",
        peer: "01234567890A=",
        dedupeKey: "status:4912661846655238145:delivered",
        status: { platformMessageId: "4912661846655238145", status: "delivered", timestamp: "2016-03-12T06:29:57.627Z" },
      },
    ],
    [
      "status-seen",
      {
        type: "message.status",
        peer: "01234567890A=",
        dedupeKey: "status:4912661846655238145:seen",
        status: { platformMessageId: "4912661846655238145", status: "read", timestamp: "2016-03-12T06:29:57.628Z" },
      },
    ],
    [
      "status-failed",
      {
        type: "message.status",
        peer: "01234567890A=",
        dedupeKey: "status:4912661846655238146:failed",
        status: {
          platformMessageId: "4912661846655238146",
          status: "failed",
          timestamp: "2016-03-12T06:29:57.627Z",
          error: { reason: "platform_error", detail: "failure description" },
        },
      },
    ],
  ])("%s", (name, expected) => {
    expect(parse(name)).toEqual({ events: [expected], problems: [] });
  });

  const YARDEN = { name: "yarden", avatarUrl: "http://avatar_url", country: "IL", language: "en" };
  it.each<[string, ParsedEvent]>([
    [
      "conversation-started",
      {
        type: "conversation.started",
        peer: CUSTOMER,
        dedupeKey: "conversation_started:4912661846655238149",
        timestamp: "2016-03-12T06:29:57.627Z",
        customer: customer(CUSTOMER, YARDEN),
        trigger: "open",
        referral: { ref: "context information" },
        subscribed: false,
      },
    ],
    [
      "subscribed",
      {
        type: "contact.subscribed",
        peer: "01234567890A=",
        dedupeKey: "subscribed:4912661846655238147",
        timestamp: "2016-03-12T06:29:57.627Z",
        customer: customer("01234567890A=", YARDEN),
      },
    ],
    [
      "unsubscribed",
      {
        type: "contact.unsubscribed",
        peer: "01234567890A=",
        dedupeKey: "unsubscribed:4912661846655238148",
        timestamp: "2016-03-12T06:29:57.627Z",
        customer: customer("01234567890A="),
      },
    ],
  ])("%s is a typed lifecycle event with the customer Viber described", (name, expected) => {
    expect(parse(name)).toEqual({ events: [expected], problems: [] });
  });

  it("a conversation_started without context or subscribed flag leaves them out, and is keyed by its token", () => {
    const body = '{"event":"conversation_started","timestamp":1457764197627,"message_token":5491231451212373009,"type":"open","user":{"id":"abcd=="}}';
    expect(parseViberWebhook(bytes(body)).events).toEqual([
      {
        type: "conversation.started",
        peer: "abcd==",
        dedupeKey: "conversation_started:5491231451212373009",
        timestamp: "2016-03-12T06:29:57.627Z",
        customer: customer("abcd=="),
        trigger: "open",
      },
    ]);
  });

  it("an unknown callback reaches the business as an unsupported message carrying the callback", () => {
    const raw = parseViberJson(fixture("viber", "unknown-event")) as { event: string; message_token: string };
    expect(parse("unknown-event")).toEqual({
      events: [
        {
          type: "message.received",
          peer: "01234567890A=",
          dedupeKey: "client_status:4912661846655238150",
          message: {
            platformMessageId: "4912661846655238150",
            timestamp: "2016-03-12T06:29:57.627Z",
            sender: customer("01234567890A="),
            content: { type: "unsupported", platformType: "client_status", raw },
          },
        },
      ],
      problems: [],
    });
    // The business gets the token exactly, as a string.
    expect(raw.message_token).toBe("4912661846655238150");
  });

  it("sizes and durations that are not counts are left out, never passed on", () => {
    const body = (m: string) => `{"event":"message","timestamp":1,"message_token":5,"sender":{"id":"abcd=="},"message":${m}}`;
    const [e] = parseViberWebhook(bytes(body('{"type":"video","media":"https://dl-media.viber.com/v.mp4","size":-1,"duration":"long"}'))).events;
    expect(e?.type === "message.received" && e.message.content).toEqual({ type: "video", mediaId: "https://dl-media.viber.com/v.mp4" });
    const [f] = parseViberWebhook(bytes(body('{"type":"file","media":"https://dl-media.viber.com/f","size":"2048","file_name":"a.txt"}'))).events;
    expect(f?.type === "message.received" && f.message.content).toEqual({ type: "document", mediaId: "https://dl-media.viber.com/f", filename: "a.txt", size: 2048 });
  });

  it("a sticker id that is not digits is not an id; a sticker's media URL serves instead", () => {
    const body = (m: string) => `{"event":"message","timestamp":1,"message_token":5,"sender":{"id":"abcd=="},"message":${m}}`;
    const [e] = parseViberWebhook(bytes(body('{"type":"sticker","sticker_id":"../x","media":"https://dl-media.viber.com/s.png"}'))).events;
    expect(e?.type === "message.received" && e.message.content).toEqual({ type: "sticker", mediaId: "https://dl-media.viber.com/s.png" });
  });

  it("tokens that differ only beyond 2^53 stay distinct, and every fixture has its own dedupe key", () => {
    const [a] = parse("text").events;
    const [b] = parse("url").events;
    expect(a?.type === "message.received" && a.message.platformMessageId).toBe("5491231451212373001");
    expect(b?.type === "message.received" && b.message.platformMessageId).toBe("5491231451212373002");
    expect(Number("5491231451212373001")).toBe(Number("5491231451212373002"));
    const keys = Object.entries(fixtures("viber"))
      .filter(([name]) => name !== "webhook")
      .flatMap(([, raw]) => parseViberWebhook(bytes(raw)).events.map((e) => e.dedupeKey));
    expect(keys.length).toBe(Object.keys(fixtures("viber")).length - 1);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("the webhook handshake event yields nothing (the handshake answers it)", () => {
    expect(parse("webhook")).toEqual({ events: [], problems: [] });
  });

  it.each([
    ["<html>", "body is not JSON"],
    ["[1,2]", "body is not a JSON object"],
    ['{"event":"message","timestamp":1,"message_token":5,"message":{"type":"text","text":"x"}}', "message: message without sender.id"],
    ['{"event":"message","timestamp":1,"message_token":5,"sender":{"id":"abcd=="}}', "message: message without a message object"],
    ['{"event":"message","timestamp":1,"sender":{"id":"abcd=="},"message":{"type":"text","text":"x"}}', "message: no message_token"],
    ['{"event":"seen","timestamp":1,"message_token":5}', "seen: seen without user_id"],
    ['{"event":"subscribed","timestamp":1,"message_token":5}', "subscribed: 'subscribed' without a user"],
  ])("a bad callback %s is a problem, never a throw", (body, problem) => {
    expect(parseViberWebhook(bytes(body))).toEqual({ events: [], problems: [problem] });
  });

  it("malformed content becomes unsupported with the raw item", () => {
    const body = '{"event":"message","timestamp":1,"message_token":5,"sender":{"id":"abcd=="},"message":{"type":"location","location":{"lat":"x"}}}';
    const [e] = parseViberWebhook(bytes(body)).events;
    expect(e?.type === "message.received" && e.message.content).toEqual({
      type: "unsupported",
      platformType: "location",
      raw: { type: "location", location: { lat: "x" } },
    });
  });
});

describe("Viber webhook verification", () => {
  const request = (body: string, headers: Record<string, string> = {}, method = "POST"): WebhookRequest => ({
    method,
    url: new URL("https://relay.test/webhooks/viber/viber-test"),
    headers: new Headers(headers),
    body: bytes(body),
  });
  const signed = async (body: string, token = VIBER_AUTH_TOKEN) =>
    request(body, { "x-viber-content-signature": await viberSignature(body, token) });

  it("matches Viber's own signature example", async () => {
    // The example pair courier tests against: token, body and the signature Viber sent.
    const body = '{"event":"unsubscribed","timestamp":1516678387902,"user_id":"KMMqtlNTDxIm/5bZhdQ5uA==","message_token":5136431130449316903}';
    const token = "44b935abea139fd6-53fa53b32559c4a6-12dbd3d883b06835";
    const sig = "d84d8648b402a2737838fea4da41d903d1af1aed92466b1758828ad27e31a9f9";
    expect(await viberSignatureMatches(bytes(body), sig, token)).toBe(true);
    expect(await viberSignatureMatches(bytes(body), sig.toUpperCase(), token)).toBe(true);
    expect(await viberSignatureMatches(bytes(`${body} `), sig, token)).toBe(false);
    expect(await viberSignatureMatches(bytes(body), sig, `${token}x`)).toBe(false);
    expect(await viberSignatureMatches(bytes(body), null, token)).toBe(false);
    expect(await viberSignatureMatches(bytes(body), "sha256=" + sig, token)).toBe(false);
  });

  it("accepts a fresh signed callback; refuses a wrong key, a changed body and a missing signature", async () => {
    const body = freshViberBody(fixture("viber", "text"));
    expect(await verifyViberWebhook(await signed(body), account)).toBe(true);
    expect(await viber.verify(await signed(body, "another-bot-token-0123456789"), account)).toBe(false);
    const tampered = await signed(body);
    tampered.body = bytes(body.replace("incoming msg", "incoming msh"));
    expect(await viber.verify(tampered, account)).toBe(false);
    expect(await viber.verify(request(body), account)).toBe(false);
  });

  it("refuses replays: callbacks older than the window, or from the future", async () => {
    const now = Date.now();
    const at = (ts: number) => freshViberBody(fixture("viber", "status-seen"), ts);
    expect(isFreshViberEvent(bytes(at(now - MAX_EVENT_AGE_MS + 60_000)), now)).toBe(true);
    expect(isFreshViberEvent(bytes(at(now - MAX_EVENT_AGE_MS - 1)), now)).toBe(false);
    expect(isFreshViberEvent(bytes(at(now + 3600_000)), now)).toBe(false);
    expect(await viber.verify(await signed(fixture("viber", "status-seen")), account)).toBe(false);
    expect(await viber.verify(await signed(at(Date.now() - 2 * 24 * 3600_000)), account)).toBe(false);
  });

  it("answers the signed webhook handshake with 200 and leaves everything else to the route", async () => {
    const hello = freshViberBody(fixture("viber", "webhook"));
    const res = await viberHandshake(await signed(hello), account);
    expect(res?.status).toBe(200);
    expect(await res?.text()).toBe("");
    expect(await viberHandshake(await signed(hello, "another-bot-token-0123456789"), account)).toBeNull();
    expect(await viberHandshake(await signed(freshViberBody(fixture("viber", "text"))), account)).toBeNull();
    expect(await viberHandshake(request(hello, {}, "GET"), account)).toBeNull();
  });
});
