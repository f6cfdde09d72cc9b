import type { InboundContent } from "../../model";
import { unixSecondsToIso } from "../http";
import type { ParsedEvent, ParseResult } from "../types";
import { telegramId, telegramMessageId } from "./ids";

type Obj = Record<string, unknown>;
type Received = Extract<ParsedEvent, { type: "message.received" }>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The peer of an event that names no chat and no user (e.g. a `poll` update), as channel errors use. */
const NO_PEER = "-";

/** A display name: a user's first and last name, a chat's title, else the username. */
function nameOf(who: Obj): string | undefined {
  const full = [str(who.first_name), str(who.last_name)].filter(Boolean).join(" ");
  return full || str(who.title) || str(who.username);
}

/** Who sent a message: the user, or for channel posts and anonymous admins the chat it was sent as. */
function senderOf(m: Obj): { id: string; name?: string } | undefined {
  const who = isObj(m.from) ? m.from : isObj(m.sender_chat) ? m.sender_chat : undefined;
  const id = who && telegramId(who.id);
  if (!who || !id) return undefined;
  const name = nameOf(who);
  return { id, ...(name && { name }) };
}

/** Media fields of a message, in the order they are looked for, and what each becomes. */
const MEDIA_FIELDS = [
  // An animation message also carries `document` for older clients: look at `animation` first.
  ["animation", "video"],
  ["video", "video"],
  ["video_note", "video"],
  ["voice", "audio"],
  ["audio", "audio"],
  ["document", "document"],
  ["sticker", "sticker"],
] as const;

/**
 * Fields of a Message that describe it rather than being its content: the first field not among these
 * names an unknown kind (poll, dice, game, story, invoice, service messages...).
 * @see https://core.telegram.org/bots/api#message
 */
const MESSAGE_METADATA = new Set([
  "message_id", "message_thread_id", "direct_messages_topic", "from", "sender_chat", "sender_boost_count",
  "sender_business_bot", "date", "business_connection_id", "chat", "forward_origin", "is_topic_message",
  "is_automatic_forward", "reply_to_message", "external_reply", "quote", "reply_to_story", "via_bot",
  "edit_date", "has_protected_content", "is_from_offline", "is_paid_post", "media_group_id",
  "author_signature", "paid_star_count", "entities", "caption", "caption_entities", "link_preview_options",
  "effect_id", "show_caption_above_media", "has_media_spoiler", "reply_markup",
]);

/** The largest size of a photo (Telegram lists several, smallest first; compare by pixels to be sure). */
function largestPhoto(sizes: unknown[]): Obj | undefined {
  const photos = sizes.filter(isObj).filter((p) => str(p.file_id));
  const pixels = (p: Obj) => (typeof p.width === "number" && typeof p.height === "number" ? p.width * p.height : 0);
  return photos.reduce<Obj | undefined>((best, p) => (!best || pixels(p) >= pixels(best) ? p : best), undefined);
}

/**
 * The content of one Telegram Message. Files are referenced by `file_id` in `mediaId` only: their download
 * URL carries the bot token, so the relay serves them itself.
 * @see https://core.telegram.org/bots/api#message
 */
export function telegramContent(m: Obj): InboundContent {
  const caption = str(m.caption);
  if (typeof m.text === "string") return { type: "text", text: m.text };
  if (Array.isArray(m.photo)) {
    const photo = largestPhoto(m.photo);
    if (photo) return { type: "image", mediaId: str(photo.file_id)!, ...(caption && { caption }) };
  }
  for (const [field, type] of MEDIA_FIELDS) {
    const file = m[field];
    if (!isObj(file) || !str(file.file_id)) continue;
    return {
      type,
      mediaId: str(file.file_id)!,
      ...(str(file.mime_type) && { mimeType: str(file.mime_type) }),
      ...(str(file.file_name) && { filename: str(file.file_name) }),
      ...(caption && { caption }),
      ...(field === "voice" && { voice: true }),
    };
  }
  // A venue message carries `location` too: the venue has the name and address.
  const venue = isObj(m.venue) ? m.venue : undefined;
  const location = venue && isObj(venue.location) ? venue.location : isObj(m.location) ? m.location : undefined;
  if (location && typeof location.latitude === "number" && typeof location.longitude === "number") {
    return {
      type: "location",
      latitude: location.latitude,
      longitude: location.longitude,
      ...(venue && str(venue.title) && { name: str(venue.title) }),
      ...(venue && str(venue.address) && { address: str(venue.address) }),
    };
  }
  if (isObj(m.contact) && str(m.contact.phone_number)) {
    const name = nameOf(m.contact);
    return { type: "contacts", contacts: [{ ...(name && { name }), phones: [str(m.contact.phone_number)!] }] };
  }
  const kind = Object.keys(m).find((k) => !MESSAGE_METADATA.has(k)) ?? "message";
  return { type: "unsupported", platformType: kind, raw: m };
}

/** A Message (or channel post) as a received message of its chat. */
function messageEvent(m: Obj, dedupeKey: string, now: number): Received {
  const chat = isObj(m.chat) ? telegramId(m.chat.id) : undefined;
  const id = telegramId(m.message_id);
  const sender = senderOf(m);
  if (!chat || !id) throw new Error("message without chat or message_id");
  const replyTo = isObj(m.reply_to_message) ? telegramId(m.reply_to_message.message_id) : undefined;
  const chatName = isObj(m.chat) ? nameOf(m.chat) : undefined;
  return {
    type: "message.received",
    peer: chat,
    dedupeKey,
    message: {
      platformMessageId: telegramMessageId(chat, id),
      timestamp: unixSecondsToIso(m.date, now),
      // Only channel posts may lack a sender; the channel itself speaks then.
      sender: sender ?? { id: chat, ...(chatName && { name: chatName }) },
      content: telegramContent(m),
      ...(replyTo && { inReplyTo: telegramMessageId(chat, replyTo) }),
    },
  };
}

/** The label of the inline button whose `callback_data` was tapped, from the message that carried it. */
function buttonTitle(message: unknown, data: string): string | undefined {
  if (!isObj(message) || !isObj(message.reply_markup)) return undefined;
  const buttons = list(message.reply_markup.inline_keyboard).flatMap(list).filter(isObj);
  return str(buttons.find((b) => b.callback_data === data)?.text);
}

/**
 * A tap on an inline keyboard button: a `reply` from a button, with its `callback_data` as the id and the
 * button's label as the title (the data when the message is no longer accessible).
 * @see https://core.telegram.org/bots/api#callbackquery
 */
function callbackEvent(q: Obj, dedupeKey: string, now: number): Received {
  const from = isObj(q.from) ? q.from : undefined;
  const user = from && telegramId(from.id);
  const queryId = str(q.id);
  if (!user || !queryId) throw new Error("callback_query without id or from");
  const message = isObj(q.message) ? q.message : undefined;
  const chat = (message && isObj(message.chat) && telegramId(message.chat.id)) || user;
  const answered = message && telegramId(message.message_id);
  const data = str(q.data);
  const name = nameOf(from);
  return {
    type: "message.received",
    peer: chat,
    dedupeKey,
    message: {
      platformMessageId: `callback:${queryId}`,
      // A callback query has no date of its own (the message's is when the keyboard was sent).
      timestamp: new Date(now).toISOString(),
      sender: { id: user, ...(name && { name }) },
      content: data
        ? { type: "reply", id: data, title: buttonTitle(message, data) ?? data, source: "button" }
        : { type: "unsupported", platformType: "callback_query", raw: q },
      ...(answered && { inReplyTo: telegramMessageId(chat, answered) }),
    },
  };
}

const emojiOf = (reactions: unknown): string[] =>
  list(reactions)
    .filter(isObj)
    .filter((r) => r.type === "emoji")
    .map((r) => str(r.emoji))
    .filter((e): e is string => !!e);

/**
 * A change of a user's reactions to a message. The emoji reported is the one just added (else the first
 * one still set); an empty emoji means the reactions were removed, as on WhatsApp. Custom and paid
 * reactions only are not modelled.
 * @see https://core.telegram.org/bots/api#messagereactionupdated
 */
function reactionEvent(r: Obj, updateId: string, dedupeKey: string, now: number): Received {
  const chat = isObj(r.chat) ? telegramId(r.chat.id) : undefined;
  const reacted = telegramId(r.message_id);
  const actor = isObj(r.user) ? r.user : isObj(r.actor_chat) ? r.actor_chat : undefined;
  const actorId = actor && telegramId(actor.id);
  if (!chat || !reacted) throw new Error("message_reaction without chat or message_id");
  const before = new Set(emojiOf(r.old_reaction));
  const current = emojiOf(r.new_reaction);
  const emoji = current.find((e) => !before.has(e)) ?? current[0] ?? (list(r.new_reaction).length === 0 ? "" : undefined);
  const name = actor && nameOf(actor);
  return {
    type: "message.received",
    peer: chat,
    dedupeKey,
    message: {
      platformMessageId: `reaction:${updateId}`,
      timestamp: unixSecondsToIso(r.date, now),
      sender: { id: actorId ?? chat, ...(name && { name }) },
      content:
        emoji === undefined
          ? { type: "unsupported", platformType: "message_reaction", raw: r }
          : { type: "reaction", emoji, platformMessageId: telegramMessageId(chat, reacted) },
      inReplyTo: telegramMessageId(chat, reacted),
    },
  };
}

/**
 * Any other update (edited messages, inline queries, polls, membership changes...): an `unsupported`
 * message that still reaches the business, addressed to the chat or user it names.
 */
function unsupportedEvent(kind: string, value: unknown, updateId: string, dedupeKey: string, now: number): Received {
  const v = isObj(value) ? value : {};
  const chat = isObj(v.chat) ? telegramId(v.chat.id) : undefined;
  const who = [v.from, v.user, v.actor_chat, v.sender_chat].find(isObj);
  const whoId = who && telegramId(who.id);
  const messageId = telegramId(v.message_id);
  const peer = chat ?? whoId ?? NO_PEER;
  const name = who && nameOf(who);
  return {
    type: "message.received",
    peer,
    dedupeKey,
    message: {
      // An edited message keeps its id, so the business can tell which message changed.
      platformMessageId: chat && messageId ? telegramMessageId(chat, messageId) : `update:${updateId}`,
      timestamp: unixSecondsToIso(v.edit_date ?? v.date, now),
      sender: { id: whoId ?? peer, ...(name && { name }) },
      content: { type: "unsupported", platformType: kind, raw: value },
    },
  };
}

/**
 * One Update as one event; its `update_id` is the dedupe key (Telegram redelivers an update until it is
 * acknowledged, and numbers updates uniquely per bot).
 * @see https://core.telegram.org/bots/api#update
 */
export function parseUpdate(u: Obj, now: number): ParsedEvent {
  const updateId = telegramId(u.update_id);
  if (!updateId) throw new Error("update without update_id");
  const dedupeKey = `update:${updateId}`;
  if (isObj(u.message)) return messageEvent(u.message, dedupeKey, now);
  if (isObj(u.channel_post)) return messageEvent(u.channel_post, dedupeKey, now);
  if (isObj(u.callback_query)) return callbackEvent(u.callback_query, dedupeKey, now);
  if (isObj(u.message_reaction)) return reactionEvent(u.message_reaction, updateId, dedupeKey, now);
  const kind = Object.keys(u).find((k) => k !== "update_id");
  if (!kind) throw new Error("update carries nothing");
  return unsupportedEvent(kind, u[kind], updateId, dedupeKey, now);
}

/**
 * Parses one webhook body. Telegram POSTs one Update per request; a JSON array of Updates, or a
 * `getUpdates` answer (`{"ok":true,"result":[...]}`), is accepted too so that updates fetched by polling
 * can be replayed through the webhook. Each update is parsed on its own: one bad update never drops the rest.
 * @see https://core.telegram.org/bots/api#getting-updates
 */
export function parseTelegramWebhook(body: Uint8Array, now = Date.now()): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return { events: [], problems: ["body is not JSON"] };
  }
  const updates = Array.isArray(value)
    ? value
    : isObj(value) && value.ok === true && Array.isArray(value.result)
      ? value.result
      : isObj(value)
        ? [value]
        : undefined;
  if (!updates) return { events: [], problems: ["body is not an update"] };
  const events: ParsedEvent[] = [];
  const problems: string[] = [];
  updates.forEach((u, i) => {
    try {
      if (!isObj(u)) throw new Error("not an object");
      events.push(parseUpdate(u, now));
    } catch (e) {
      const id = isObj(u) ? telegramId(u.update_id) : undefined;
      problems.push(`update[${i}]${id ? ` (${id})` : ""}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  return { events, problems };
}
