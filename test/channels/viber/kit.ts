import { classifyViberResponse } from "../../../src/channels/viber/errors";
import { parseViberJson } from "../../../src/channels/viber/json";
import { fixtures } from "../../support/fixtures";
import type { ChannelKit, PlatformRequest } from "../kit";
import { VIBER_ACCOUNT_ID, VIBER_AUTH_TOKEN } from "./account";

export const VIBER_WEBHOOK_PATH = `/webhooks/viber/${VIBER_ACCOUNT_ID}`;
const json = { "content-type": "application/json" };

/** Lowercase hex HMAC-SHA256 of the body under the bot token, as Viber signs (computed here on its own). */
export async function viberSignature(body: string, token = VIBER_AUTH_TOKEN): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(token), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, enc.encode(body));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The fixture as Viber would send it now: the relay refuses callbacks older than a day as replays, so
 * the (signed) `timestamp` is moved to the present; everything else stays byte for byte.
 */
export function freshViberBody(body: string, now = Date.now()): string {
  return body.replace(/("timestamp"\s*:\s*)\d+/, `$1${now}`);
}

/** A Viber user id (base64 of 16 random bytes, like Viber's) nobody else in the test run uses. */
export function newViberUser(prefix = ""): string {
  return prefix + btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

/** A callback signed with `token`, as Viber POSTs it. */
export async function signedViberRequest(body: string, token = VIBER_AUTH_TOKEN): Promise<PlatformRequest> {
  return { path: VIBER_WEBHOOK_PATH, headers: { ...json, "x-viber-content-signature": await viberSignature(body, token) }, body };
}

const all = fixtures("viber");
/** The `webhook` handshake yields no event: the contract's per-fixture checks use every other kind. */
const { webhook: handshakeFixture, ...eventFixtures } = all;

const CUSTOMER = "xy5/5y6O81+/kbWHpLhBoA==";
const RECEIVER = "01234567890A=";
const userId = (id: string) => [{ kind: "user_id", value: id }];
const ET3 = { id: CUSTOMER, name: "ET3", identities: userId(CUSTOMER) };
const YARDEN = { name: "yarden", avatarUrl: "http://avatar_url", country: "IL", language: "en" };
const received = (token: string, content: Record<string, unknown>, sender: Record<string, unknown> = ET3) => [
  { type: "message.received", peer: sender.id, dedupeKey: `message:${token}`, message: { platformMessageId: token, sender, content } },
];
const status = (event: string, token: string, fields: Record<string, unknown>) => [
  { type: "message.status", peer: RECEIVER, dedupeKey: `status:${token}:${event}`, status: { platformMessageId: token, ...fields } },
];

/** What each fixture must yield (the callbacks' shapes are from Viber's docs and courier's testdata). */
const facts: ChannelKit["facts"] = {
  text: received("5491231451212373001", { type: "text", text: "incoming msg" }, { ...ET3, avatarUrl: "http://avatar_url", language: "en", country: "IL" }),
  url: received("5491231451212373002", { type: "text", text: "http://foo.com/" }),
  picture: received("4987381189870374000", {
    type: "image",
    mediaId: "https://dl-media.viber.com/1/share/2/long/vibes/icon/image/0x0/95e0/5688fdffdf2bc7de8a34a5b7fca3a8b1.jpg",
    caption: "caption",
    filename: "photo.jpg",
    size: 12345,
  }),
  video: received("4987381189870374011", { type: "video", size: 1048576, durationSeconds: 12 }),
  file: received("4987381189870374022", { type: "document", filename: "invoice.pdf", size: 45231 }),
  sticker: received("4987381189870374033", { type: "sticker", mediaId: "40133" }),
  contact: received("4987381189870374044", { type: "contacts", contacts: [{ name: "Alex", phones: ["+12067799191"] }] }),
  location: received("4987381189870374055", { type: "location", latitude: 1.2, longitude: -1.3 }),
  "button-reply": received("4987381189870374066", { type: "reply", id: "confirm-yes", title: "Yes please", source: "button" }),
  "unknown-type": received("4987381189870374077", { type: "unsupported", platformType: "unknown" }),
  "status-delivered": status("delivered", "4912661846655238145", { status: "delivered" }),
  "status-seen": status("seen", "4912661846655238145", { status: "read" }),
  "status-failed": status("failed", "4912661846655238146", { status: "failed", error: { reason: "platform_error", detail: "failure description" } }),
  "conversation-started": [
    {
      type: "conversation.started",
      peer: CUSTOMER,
      customer: { id: CUSTOMER, ...YARDEN, identities: userId(CUSTOMER) },
      trigger: "open",
      referral: { ref: "context information" },
      subscribed: false,
    },
  ],
  subscribed: [{ type: "contact.subscribed", peer: RECEIVER, customer: { id: RECEIVER, ...YARDEN, identities: userId(RECEIVER) } }],
  unsubscribed: [{ type: "contact.unsubscribed", peer: RECEIVER, customer: { id: RECEIVER, identities: userId(RECEIVER) } }],
  "unknown-event": [{ type: "message.received", peer: RECEIVER, message: { content: { type: "unsupported", platformType: "client_status" } } }],
};

const ok = '{"status":0,"status_message":"ok","message_token":5741311803571721087,"chat_hostname":"SN-CHAT-05_"}';
const viberError = (code: number, message: string) => `{"status":${code},"status_message":"${message}","chat_hostname":"SN-CHAT-05_"}`;

/** Viber signs each callback with HMAC-SHA256 of the raw body, keyed with the bot's auth token. */
export const viberKit: ChannelKit = {
  channel: "viber",
  accountId: VIBER_ACCOUNT_ID,
  fixtures: eventFixtures,
  signed: (body) => signedViberRequest(freshViberBody(body)),
  unsigned: (body) => ({ path: VIBER_WEBHOOK_PATH, headers: json, body: freshViberBody(body) }),
  wronglySigned: (body) => signedViberRequest(freshViberBody(body), `${VIBER_AUTH_TOKEN.slice(0, -1)}0`),
  // Signed, then one byte of the body changed on the way.
  tampered: async (body) => {
    const fresh = freshViberBody(body);
    const request = await signedViberRequest(fresh);
    return { ...request, body: fresh.replace(/"timestamp"\s*:\s*(\d+)/, (_, ts: string) => `"timestamp":${Number(ts) + 1}`) };
  },
  handshake: {
    valid: await signedViberRequest(freshViberBody(handshakeFixture!)),
    expect: "",
    invalid: await signedViberRequest(freshViberBody(handshakeFixture!), "not-the-bot-token-0123456789"),
  },
  facts,
  documentedEvents: ["message.received", "message.status", "conversation.started", "contact.subscribed", "contact.unsubscribed"],
  classify: (res, body) => {
    let parsed: unknown;
    try {
      parsed = parseViberJson(body);
    } catch {
      parsed = undefined;
    }
    return classifyViberResponse(res, parsed);
  },
  // Viber answers HTTP 200 with the outcome in `status`; HTTP errors are the transport's.
  classification: [
    { name: "sent", status: 200, body: ok, expect: { kind: "ok" } },
    { name: "status 12, too many requests", status: 200, body: viberError(12, "tooManyRequests"), expect: { kind: "retry" } },
    { name: "status 6, receiver not subscribed", status: 200, body: viberError(6, "receiverNotSubscribed"), expect: { kind: "failed", reason: "recipient_blocked" } },
    { name: "status 5, receiver not on Viber", status: 200, body: viberError(5, "receiverNotRegistered"), expect: { kind: "failed", reason: "recipient_invalid" } },
    { name: "status 2, bad auth token", status: 200, body: viberError(2, "invalidAuthToken"), expect: { kind: "failed", reason: "auth_failed" } },
    { name: "status 23, out-of-session quota used up", status: 200, body: viberError(23, "noOutOfSessionMessages"), expect: { kind: "failed", reason: "window_closed" } },
    { name: "an unknown status", status: 200, body: viberError(99, "General error"), expect: { kind: "failed", reason: "platform_error" } },
    { name: "HTTP 429 with Retry-After", status: 429, headers: { "retry-after": "7" }, body: "", expect: { kind: "retry", afterSeconds: 7 } },
    { name: "HTTP 503", status: 503, body: "<html>busy</html>", expect: { kind: "retry" } },
    { name: "a 200 that is not JSON", status: 200, body: "<html>", expect: { kind: "retry" } },
  ],
};
