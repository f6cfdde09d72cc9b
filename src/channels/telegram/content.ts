import type { InboundContent } from "../../model";
import { count, isObj, str, type Obj } from "./json";
import { nameOf } from "./people";

type Media = Extract<InboundContent, { type: "image" | "audio" | "video" | "document" | "sticker" }>;

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
  // Before Bot API 7.0 a forward was described by these.
  "forward_from", "forward_from_chat", "forward_from_message_id", "forward_signature", "forward_sender_name", "forward_date",
]);

/** The largest size of a photo (Telegram lists several, smallest first; compare by pixels to be sure). */
function largestPhoto(sizes: unknown[]): Obj | undefined {
  const photos = sizes.filter(isObj).filter((p) => str(p.file_id));
  const pixels = (p: Obj) => (count(p.width) ?? 0) * (count(p.height) ?? 0);
  return photos.reduce<Obj | undefined>((best, p) => (!best || pixels(p) >= pixels(best) ? p : best), undefined);
}

/**
 * What Telegram says of a file: its size in bytes, dimensions, duration (seconds), MIME type and name.
 * A video note is a square video whose side is its `length`.
 * @see https://core.telegram.org/bots/api#videonote
 */
function fileFacts(file: Obj): Omit<Media, "type"> {
  const side = count(file.length);
  const width = count(file.width) ?? side;
  const height = count(file.height) ?? side;
  const size = count(file.file_size);
  const duration = typeof file.duration === "number" && Number.isFinite(file.duration) && file.duration >= 0 ? file.duration : undefined;
  return {
    mediaId: str(file.file_id)!,
    ...(str(file.mime_type) && { mimeType: str(file.mime_type) }),
    ...(str(file.file_name) && { filename: str(file.file_name) }),
    ...(size !== undefined && { size }),
    ...(width !== undefined && { width }),
    ...(height !== undefined && { height }),
    ...(duration !== undefined && { durationSeconds: duration }),
  };
}

/**
 * Whether a file moves: an animation (a GIF or soundless MP4, sent as video) or an animated (`.tgs`)
 * or video (`.webm`) sticker.
 * @see https://core.telegram.org/bots/api#animation
 * @see https://core.telegram.org/bots/api#sticker
 */
const isAnimated = (field: string, file: Obj) => field === "animation" || (field === "sticker" && (file.is_animated === true || file.is_video === true));

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
    if (photo) return { type: "image", ...fileFacts(photo), ...(caption && { caption }) };
  }
  for (const [field, type] of MEDIA_FIELDS) {
    const file = m[field];
    if (!isObj(file) || !str(file.file_id)) continue;
    return {
      type,
      ...fileFacts(file),
      ...(caption && { caption }),
      ...(field === "voice" && { voice: true }),
      ...(isAnimated(field, file) && { animated: true }),
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
