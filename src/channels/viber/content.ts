import type { InboundContent } from "../../model";
import { CHOICES_KEY } from "./outbound";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * Stickers come as an id only (`sticker_id`); the image of each is public at this address, as courier
 * (nyaruka/courier handlers/viber) links it; no Viber page states it (UNCONFIRMED).
 * @see https://creators.viber.com/docs/bots-api/events/message-received
 */
export const STICKER_IMAGE_URL = "https://viber.github.io/docs/img/stickers/";

/** A Viber sticker id: digits only (Viber sends a number, courier's tests a string of digits). */
export const STICKER_ID = /^\d{1,20}$/;

/** The public image of a sticker, by its id. */
export function stickerImageUrl(stickerId: string): string {
  return `${STICKER_IMAGE_URL}${stickerId}.png`;
}

/** A count Viber sends as a number (or a string of digits): a size in bytes, a duration in seconds. */
function count(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** The [id, title] pairs the relay put in `tracking_data` with a keyboard, if this is such data. */
function choicesOf(trackingData: unknown): [string, string][] {
  if (typeof trackingData !== "string" || !trackingData.includes(CHOICES_KEY)) return [];
  try {
    const parsed: unknown = JSON.parse(trackingData);
    const choices = isObj(parsed) ? parsed[CHOICES_KEY] : undefined;
    if (!Array.isArray(choices)) return [];
    return choices.filter(
      (c): c is [string, string] => Array.isArray(c) && typeof c[0] === "string" && typeof c[1] === "string",
    );
  } catch {
    return [];
  }
}

/**
 * A picture, video or file. `media` is a time-limited URL on Viber's CDN: it becomes the `mediaId`, and
 * the relay serves the file at its own signed URL (see fetchMedia). Viber gives the size in bytes (video,
 * file), the video's duration in seconds and the file's name; a picture may carry a caption (`text`).
 * The `thumbnail` is left out: the relay URL serves the file itself.
 * @see https://creators.viber.com/docs/bots-api/events/message-received
 */
function media(type: "image" | "video" | "document", m: Obj): InboundContent {
  const size = count(m.size);
  const duration = count(m.duration);
  return {
    type,
    ...(str(m.media) && { mediaId: str(m.media) }),
    ...(str(m.text) && { caption: str(m.text) }),
    ...(str(m.file_name) && { filename: str(m.file_name) }),
    ...(size !== undefined && { size }),
    ...(duration !== undefined && { durationSeconds: duration }),
  };
}

/**
 * A sticker: its id is the `mediaId` (the relay serves its image by it, see fetchMedia), and `url` its
 * public image until the relay puts its own URL there. A sticker without an id but with a `media` URL
 * is served from that URL instead.
 */
function sticker(m: Obj): InboundContent {
  const id = typeof m.sticker_id === "number" ? String(m.sticker_id) : str(m.sticker_id);
  if (id && STICKER_ID.test(id)) return { type: "sticker", mediaId: id, url: stickerImageUrl(id) };
  return { type: "sticker", ...(str(m.media) && { mediaId: str(m.media) }) };
}

/**
 * The content of a Viber `message` callback's `message` object. A text that answers a relay keyboard (its
 * tracking data names the buttons) is a reply with the button's id. Content that cannot be read becomes
 * `unsupported` with the platform's item, never an error.
 * @see https://creators.viber.com/docs/bots-api/events/message-received
 */
export function viberContent(m: Obj): InboundContent {
  const type = str(m.type) ?? "unknown";
  switch (type) {
    case "text": {
      const text = typeof m.text === "string" ? m.text : undefined;
      if (text === undefined) break;
      const choice = choicesOf(m.tracking_data).find(([, title]) => title === text);
      if (choice) return { type: "reply", id: choice[0], title: choice[1], source: "button" };
      return { type: "text", text };
    }
    case "picture":
      return media("image", m);
    case "video":
      return media("video", m);
    case "file":
      return media("document", m);
    case "sticker":
      return sticker(m);
    case "contact": {
      const c = isObj(m.contact) ? m.contact : {};
      const phone = str(c.phone_number);
      return { type: "contacts", contacts: [{ ...(str(c.name) && { name: str(c.name) }), phones: phone ? [phone] : [] }] };
    }
    case "location": {
      const l = isObj(m.location) ? m.location : {};
      if (typeof l.lat !== "number" || typeof l.lon !== "number") break;
      return { type: "location", latitude: l.lat, longitude: l.lon, ...(str(l.address) && { address: str(l.address) }) };
    }
    case "url":
      // The customer shared a link: it is what they said.
      if (str(m.media)) return { type: "text", text: str(m.media)! };
      break;
  }
  return { type: "unsupported", platformType: type, raw: m };
}
