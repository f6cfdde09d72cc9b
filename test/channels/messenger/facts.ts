import type { ChannelKit } from "../kit";

const PSID = "1254459154682919";
const AT = "2026-01-01T00:00:00.123Z";
const WATERMARK = "2026-01-01T00:00:00.000Z";
/** The customer as every event about them names them: the PSID, as a Page-scoped identity. */
const customer = { id: PSID, identities: [{ kind: "page_scoped_id", value: PSID }] };
const CDN = "https://scontent.xx.fbcdn.net/v";

const message = (mid: string, content: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: "message.received",
  peer: PSID,
  dedupeKey: `message:${mid}`,
  message: { platformMessageId: mid, timestamp: AT, sender: customer, content, ...extra },
});
const status = (s: string, ref: Record<string, string>) => ({ type: "message.status", peer: PSID, status: { ...ref, status: s, timestamp: AT } });
/** The ad of the Click-to-Messenger fixtures, in the model's words. */
const AD = { source: "ad", type: "OPEN_THREAD", sourceId: "6045246247433", headline: "Summer sale: 20% off" };

/**
 * What each Messenger fixture must yield, from Meta's webhook reference (and courier's testdata where it
 * has the payload): see the reference §3.2.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events
 */
export const MESSENGER_FACTS: ChannelKit["facts"] = {
  text: [message("m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P", { type: "text", text: "Grüße aus Köln 😀" })],
  "quick-reply": [message("m_quickreply01", { type: "reply", id: "COLOR_GREEN", title: "Green", source: "quick_reply" })],
  "reply-to": [message("m_replyto01", { type: "text", text: "Yes, that one" }, { inReplyTo: "m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU" })],
  image: [message("m_image01", { type: "image", mediaId: `${CDN}/t1.15752-9/123_456_n.jpg?_nc_cat=1&oh=abc&oe=6A0B1C2D` })],
  audio: [message("m_audio01", { type: "audio" })],
  video: [message("m_video01", { type: "video" })],
  file: [message("m_file01", { type: "document", filename: "Invoice 2026-01.pdf" })],
  sticker: [message("m_sticker01", { type: "sticker" })],
  "sticker-legacy": [message("m_sticker02", { type: "sticker", mediaId: `${CDN}/arst` })],
  location: [message("m_location01", { type: "location", latitude: 52.520008, longitude: 13.404954, name: "Pinned Location" })],
  fallback: [message("m_fallback01", { type: "text", text: "https://example.com/article" })],
  reel: [message("m_reel01", { type: "video", url: "https://www.facebook.com/reel/123451234512345/", available: false })],
  "message-edit": [
    {
      type: "message.edited",
      peer: PSID,
      dedupeKey: "edit:m_edited01:1",
      message: { platformMessageId: "m_edited01", timestamp: AT, sender: customer, content: { type: "text", text: "Corrected text" } },
    },
  ],
  "message-referral": [message("m_fromad01", { type: "text", text: "Is this still available?" }, { referral: AD })],
  postback: [{ type: "message.received", dedupeKey: "postback:m_postback01", message: { platformMessageId: "m_postback01", content: { type: "reply", id: "AGENT", source: "postback" } } }],
  "postback-get-started": [{ type: "message.received", message: { sender: customer, content: { type: "reply", id: "GET_STARTED", title: "Get Started" } } }],
  "postback-referral": [
    {
      type: "conversation.started",
      peer: PSID,
      dedupeKey: "started:postback:m_postback02",
      timestamp: AT,
      customer,
      trigger: "get_started",
      referral: { ref: "spring-sale", source: "shortlink", type: "OPEN_THREAD" },
    },
    { type: "message.received", dedupeKey: "postback:m_postback02", message: { content: { type: "reply", id: "GET_STARTED" }, referral: { ref: "spring-sale" } } },
  ],
  reaction: [{ type: "message.received", message: { sender: customer, content: { type: "reaction", emoji: "❤️", platformMessageId: "m_sent01" } } }],
  "reaction-removed": [
    { type: "message.received", message: { content: { type: "reaction", emoji: "❤️", platformMessageId: "m_sent01", removed: true } } },
  ],
  delivery: [
    status("delivered", { platformMessageId: "m_sent01" }),
    status("delivered", { platformMessageId: "m_sent02" }),
    status("delivered", { watermark: WATERMARK }),
  ],
  "delivery-watermark": [status("delivered", { watermark: WATERMARK })],
  read: [status("read", { watermark: WATERMARK })],
  "optin-notification-messages": [
    {
      type: "contact.subscribed",
      peer: PSID,
      timestamp: AT,
      customer,
      topic: "Bird Facts",
      token: "12345678901234567890",
      ref: "3456",
      expiresAt: "2038-01-01T00:00:00.000Z",
    },
  ],
  "optin-stop-notifications": [
    { type: "contact.unsubscribed", peer: PSID, timestamp: "2026-01-01T00:01:40.123Z", customer, topic: "Bird Facts", reason: "stopped" },
  ],
  "optin-plugin": [
    {
      type: "contact.subscribed",
      peer: "a1b2c3d4-user-ref",
      customer: { id: "a1b2c3d4-user-ref", identities: [{ kind: "opaque_id", value: "a1b2c3d4-user-ref" }] },
      ref: "checkout-page",
    },
  ],
  // Referrals have been seen with timestamps in seconds.
  referral: [
    {
      type: "conversation.referral",
      peer: PSID,
      timestamp: "2026-01-01T00:00:00.000Z",
      customer,
      referral: { ref: "spring-sale", source: "shortlink", type: "OPEN_THREAD" },
    },
  ],
  "referral-ad": [{ type: "conversation.referral", peer: PSID, referral: { ...AD, ref: "summer-ad" } }],
  "referral-chat-plugin": [
    {
      type: "conversation.referral",
      peer: "f9e8d7c6-chat-plugin-ref",
      customer: { id: "f9e8d7c6-chat-plugin-ref", identities: [{ kind: "opaque_id", value: "f9e8d7c6-chat-plugin-ref" }] },
      referral: { ref: "pricing-page", source: "customer_chat_plugin", type: "OPEN_THREAD", url: "https://www.example.com/pricing" },
    },
  ],
  "policy-enforcement": [{ type: "channel.error", error: { code: "policy-enforcement", title: "Messenger policy-enforcement event" } }],
  standby: [message("m_standby01", { type: "text", text: "Is anyone there?" })],
  unknown: [{ type: "message.received", peer: PSID, message: { sender: customer, content: { type: "unsupported", platformType: "account_linking" } } }],
};
