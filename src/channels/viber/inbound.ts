import type { InboundContent } from "../../model";
import { fingerprint } from "../http";
import type { ParsedEvent, ParseResult } from "../types";
import { parseViberJson, tokenOf } from "./json";
import { CHOICES_KEY } from "./outbound";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Viber's delivery receipts, as the relay's statuses. */
const STATUS_EVENTS = { delivered: "delivered", seen: "read", failed: "failed" } as const;

/**
 * Stickers come as an id only (`sticker_id`); the image of each is public at this address, as courier
 * (nyaruka/courier handlers/viber) links it; no Viber page states it (UNCONFIRMED).
 * @see https://creators.viber.com/docs/bots-api/events/message-received
 */
const STICKER_IMAGE_URL = "https://viber.github.io/docs/img/stickers/";

/**
 * Viber timestamps are epoch milliseconds; now when absent or malformed.
 * @see https://creators.viber.com/docs/bots-api/events/message-received
 */
export function msToIso(value: unknown, now = Date.now()): string {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  return new Date(Number.isFinite(n) && n > 0 ? n : now).toISOString();
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

function media(type: "image" | "video" | "document", m: Obj): InboundContent {
  return {
    type,
    // A time-limited URL on Viber's CDN: the relay serves it at its own signed URL (see fetchMedia).
    ...(str(m.media) && { mediaId: str(m.media) }),
    ...(str(m.text) && { caption: str(m.text) }),
    ...(str(m.file_name) && { filename: str(m.file_name) }),
  };
}

/**
 * The content of a Viber `message` callback's `message` object. A text that answers a relay keyboard (its
 * tracking data names the buttons) is a reply with the button's id.
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
    case "sticker": {
      const id = typeof m.sticker_id === "number" ? String(m.sticker_id) : str(m.sticker_id);
      return {
        type: "sticker",
        ...(str(m.media) && { mediaId: str(m.media) }),
        ...(id && /^\d+$/.test(id) && { url: `${STICKER_IMAGE_URL}${id}.png` }),
      };
    }
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

function requireToken(e: Obj): string {
  const token = tokenOf(e.message_token);
  if (!token) throw new Error("no message_token");
  return token;
}

function parseMessage(e: Obj, now: number): ParsedEvent {
  const sender = isObj(e.sender) ? e.sender : {};
  const id = str(sender.id);
  if (!id) throw new Error("message without sender.id");
  if (!isObj(e.message)) throw new Error("message without a message object");
  const token = requireToken(e);
  const name = str(sender.name);
  return {
    type: "message.received",
    peer: id,
    dedupeKey: `message:${token}`,
    message: {
      platformMessageId: token,
      timestamp: msToIso(e.timestamp, now),
      sender: { id, ...(name && { name }) },
      content: viberContent(e.message),
    },
  };
}

function parseStatus(e: Obj, event: keyof typeof STATUS_EVENTS, now: number): ParsedEvent {
  const peer = str(e.user_id);
  if (!peer) throw new Error(`${event} without user_id`);
  const token = requireToken(e);
  const status = STATUS_EVENTS[event];
  return {
    type: "message.status",
    peer,
    dedupeKey: `status:${token}:${event}`,
    status: {
      platformMessageId: token,
      status,
      timestamp: msToIso(e.timestamp, now),
      // Viber says why only in free text (`desc`), e.g. when the app rejected a keyboard.
      ...(status === "failed" && { error: { reason: "platform_error" as const, ...(str(e.desc) && { detail: str(e.desc) }) } }),
    },
  };
}

/**
 * Any other callback (subscribed, unsubscribed, conversation_started, and events the relay does not know)
 * reaches the business as an unsupported message from the customer it concerns, carrying the callback.
 */
function parseOther(e: Obj, event: string, text: string, now: number): ParsedEvent {
  const user = isObj(e.user) ? e.user : isObj(e.sender) ? e.sender : {};
  const peer = str(user.id) ?? str(e.user_id);
  if (!peer) throw new Error(`'${event}' without a user`);
  const id = tokenOf(e.message_token) ?? `fp-${fingerprint(text)}`;
  const name = str(user.name);
  return {
    type: "message.received",
    peer,
    dedupeKey: `${event}:${id}`,
    message: {
      platformMessageId: id,
      timestamp: msToIso(e.timestamp, now),
      sender: { id: peer, ...(name && { name }) },
      content: { type: "unsupported", platformType: event, raw: e },
    },
  };
}

/**
 * Parses one Viber callback. Viber sends one event per request; a callback that cannot be read becomes a
 * problem (answered 200 so Viber does not retry it), never an error. The `webhook` handshake yields nothing.
 * @see https://creators.viber.com/docs/bots-api/events/message-received
 * @see https://creators.viber.com/docs/bots-api/events/message-delivered
 */
export function parseViberWebhook(body: Uint8Array, now = Date.now()): ParseResult {
  const text = new TextDecoder().decode(body);
  let value: unknown;
  try {
    value = parseViberJson(text);
  } catch {
    return { events: [], problems: ["body is not JSON"] };
  }
  if (!isObj(value)) return { events: [], problems: ["body is not a JSON object"] };
  const event = str(value.event) ?? "unknown";
  try {
    if (event === "webhook") return { events: [], problems: [] };
    if (event === "message") return { events: [parseMessage(value, now)], problems: [] };
    if (event === "delivered" || event === "seen" || event === "failed") {
      return { events: [parseStatus(value, event, now)], problems: [] };
    }
    return { events: [parseOther(value, event, text, now)], problems: [] };
  } catch (e) {
    return { events: [], problems: [`${event}: ${e instanceof Error ? e.message : String(e)}`] };
  }
}
