import type { ChannelKit } from "../kit";

const NIC_ID = "3527065";
/** Nic as the fixtures describe him: the user id and username, also as identities. */
const NIC = {
  id: NIC_ID,
  name: "Nic Pottier",
  username: "Nicpottier",
  identities: [
    { kind: "user_id", value: NIC_ID },
    { kind: "username", value: "Nicpottier" },
  ],
};
const PRIVATE = { kind: "private" };
const ADA = { id: "4503599627370495", name: "Ada", username: "ada_l", language: "de" };
const SUPPORT = "-1001987654321";

/** A message from Nic in his private chat with the bot. */
const fromNic = (update: number, message: number, content: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: "message.received",
  peer: NIC_ID,
  dedupeKey: `update:${update}`,
  message: { platformMessageId: `${NIC_ID}:${message}`, sender: NIC, chat: PRIVATE, content, ...extra },
});

/**
 * What each Telegram fixture must yield, by the Bot API's types (reference §4.2).
 * @see https://core.telegram.org/bots/api#update
 * @see https://core.telegram.org/bots/api#message
 */
export const TELEGRAM_FACTS: ChannelKit["facts"] = {
  text: [fromNic(900946524, 84, { type: "text", text: "Hello World" }, { sender: { ...NIC, language: "en" }, timestamp: "2017-05-03T20:28:38.000Z" })],
  command: [{ type: "message.received", message: { content: { type: "text", text: "/help see https://example.com" } } }],
  start: [
    {
      type: "conversation.started",
      peer: NIC_ID,
      dedupeKey: "update:900946555:start",
      timestamp: "2017-05-03T21:28:20.000Z",
      customer: { ...NIC, language: "en" },
      trigger: "start",
      referral: { ref: "spring-sale" },
    },
    fromNic(900946555, 104, { type: "text", text: "/start spring-sale" }, { referral: { ref: "spring-sale" } }),
  ],
  photo: [
    fromNic(900946525, 85, {
      type: "image",
      mediaId: "AgADAQADtKcxG4LRUUQSQVUjfJIiiF8G6C8ABA9NJzFdXskaincBAAEC",
      size: 104737,
      width: 720,
      height: 1280,
      caption: "Photo Caption",
    }),
  ],
  video: [fromNic(900946526, 86, { type: "video", mimeType: "video/mp4", size: 257507, width: 360, height: 640, durationSeconds: 1, caption: "My vid!" })],
  "video-note": [fromNic(900946540, 100, { type: "video", size: 180233, width: 240, height: 240, durationSeconds: 4 })],
  animation: [fromNic(900946541, 101, { type: "video", animated: true, filename: "dancing.mp4", width: 320, height: 240, durationSeconds: 3, size: 98304 })],
  voice: [fromNic(900946531, 91, { type: "audio", voice: true, mimeType: "audio/ogg", durationSeconds: 1, size: 4288 })],
  audio: [fromNic(900946533, 93, { type: "audio", filename: "test-song.mp3", mimeType: "audio/mpeg", durationSeconds: 184, size: 2945231 })],
  document: [fromNic(900946532, 92, { type: "document", filename: "TabFig2015prel.xls", mimeType: "application/vnd.ms-excel", size: 4540928 })],
  sticker: [{ type: "message.received", message: { content: { type: "sticker", width: 436, height: 512, size: 38440 } } }],
  location: [fromNic(900946534, 94, { type: "location", latitude: -2.890287, longitude: -79.004333 })],
  venue: [fromNic(900946535, 95, { type: "location", name: "Cuenca", address: "Provincia del Azuay" })],
  contact: [fromNic(900946536, 96, { type: "contacts", contacts: [{ name: "Adolf Taxi", phones: ["0788531373"] }] })],
  reply: [fromNic(900946542, 102, { type: "text", text: "Yes, very" }, { inReplyTo: `${NIC_ID}:133` })],
  forwarded: [fromNic(900946556, 105, { type: "text", text: "Can you ship to Cuenca?" }, { forwarded: true })],
  "edited-message": [
    {
      type: "message.edited",
      peer: NIC_ID,
      dedupeKey: "update:900946545",
      message: { platformMessageId: `${NIC_ID}:84`, timestamp: "2017-05-03T20:30:00.000Z", sender: NIC, content: { type: "text", text: "Hello World!" } },
    },
  ],
  "edited-channel-post": [
    {
      type: "message.edited",
      peer: "-1001234567890",
      message: {
        platformMessageId: "-1001234567890:12",
        timestamp: "2017-05-03T21:22:40.000Z",
        sender: { id: "-1001234567890", name: "Sandbox News", username: "sandbox_news" },
        chat: { kind: "channel", title: "Sandbox News" },
        content: { type: "text", text: "New opening hours: 9 to 17" },
      },
    },
  ],
  "group-text": [
    {
      type: "message.received",
      peer: SUPPORT,
      message: {
        sender: { id: "4503599627370495", name: "Ada", username: "ada_l" },
        chat: { kind: "supergroup", title: "Sandbox Support" },
        content: { type: "text", text: "Hi from the group" },
      },
    },
  ],
  "channel-post": [{ type: "message.received", peer: "-1001234567890", message: { chat: { kind: "channel", title: "Sandbox News" } } }],
  "callback-query": [{ type: "message.received", peer: "1111111", message: { content: { type: "reply", id: "button_payload", title: "Yes, very", source: "button" } } }],
  reaction: [{ type: "message.received", dedupeKey: "update:900946543", message: { sender: NIC, content: { type: "reaction", emoji: "❤", platformMessageId: `${NIC_ID}:133` } } }],
  "reaction-removed": [{ type: "message.received", message: { content: { type: "reaction", emoji: "👍", removed: true, platformMessageId: `${NIC_ID}:133` } } }],
  "reaction-changed": [
    { type: "message.received", dedupeKey: "update:900946557", message: { content: { type: "reaction", emoji: "👍", removed: true } } },
    { type: "message.received", dedupeKey: "update:900946557:1", message: { content: { type: "reaction", emoji: "🔥" } } },
  ],
  "my-chat-member-blocked": [
    { type: "contact.unsubscribed", peer: NIC_ID, dedupeKey: "update:900946549", timestamp: "2017-05-03T21:25:00.000Z", customer: NIC, reason: "blocked" },
  ],
  "my-chat-member-unblocked": [{ type: "contact.subscribed", peer: NIC_ID, customer: { ...NIC, language: "en" } }],
  "my-chat-member-added": [{ type: "conversation.started", peer: SUPPORT, timestamp: "2023-11-14T21:56:40.000Z", customer: ADA, trigger: "added" }],
  "my-chat-member-removed": [{ type: "conversation.closed", peer: SUPPORT, timestamp: "2023-11-16T02:00:00.000Z", customer: ADA }],
  poll: [{ type: "message.received", message: { content: { type: "unsupported", platformType: "poll" } } }],
  unknown: [{ type: "message.received", peer: NIC_ID, message: { platformMessageId: "update:900946550", content: { type: "unsupported", platformType: "inline_query" } } }],
};
