import type { InboundContent } from "../../model";
import { fingerprint } from "../http";
import type { ParsedEvent, ParseResult } from "../types";
import type { MessengerAccount } from "./account";

type Obj = Record<string, unknown>;
type Received = Extract<ParsedEvent, { type: "message.received" }>;
type Status = Extract<ParsedEvent, { type: "message.status" }>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const int = (v: unknown): number | undefined => {
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === "number" && Number.isSafeInteger(n) && n > 0 ? n : undefined;
};

/**
 * Messenger timestamps are epoch milliseconds, but some events (referrals) have been seen in seconds
 * (courier `handlers/meta/testdata/fba/referral_seconds.json`): anything below this is taken as seconds.
 */
const SECONDS_BELOW = 100_000_000_000;
/** Longest `detail` of a channel error built from an unknown event. */
const MAX_DETAIL = 1000;

/** An epoch time in ms (or seconds, see above) as ISO; `fallback` (ms) when absent or malformed. */
function epochToIso(value: unknown, fallback: number): string {
  const n = int(value);
  const ms = n === undefined ? fallback : n < SECONDS_BELOW ? n * 1000 : n;
  return new Date(ms).toISOString();
}

/**
 * What the `reaction` names stand for, when a `react` carries no emoji.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-reactions
 */
const REACTION_EMOJI: Record<string, string> = {
  smile: "😆",
  angry: "😠",
  sad: "😢",
  wow: "😮",
  love: "❤️",
  like: "👍",
  dislike: "👎",
};

/** Keys every messaging item has; the one it has besides these names its kind. */
const ENVELOPE_KEYS = new Set(["sender", "recipient", "timestamp"]);

/** One entry's messaging item, with what every kind needs. */
interface Item {
  raw: Obj;
  /** The customer's PSID (absent on some page-level events). */
  peer?: string;
  /** ISO time of the event. */
  timestamp: string;
  /** The raw timestamp, for keys of events without an id. */
  at: string;
}

/**
 * The content of one attachment. Inbound media carry their CDN URL as `mediaId`: the relay streams it
 * through a signed relay URL (see `fetchMedia`), so the business never depends on Meta's expiring URLs.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
 */
export function attachmentContent(a: Obj): InboundContent {
  const type = str(a.type) ?? "unknown";
  const payload = isObj(a.payload) ? a.payload : {};
  const url = str(payload.url);
  const ref = url ? { mediaId: url } : {};
  switch (type) {
    case "image":
      // Stickers came as images with a sticker_id until the `sticker` type (2026).
      return payload.sticker_id !== undefined ? { type: "sticker", ...ref } : { type: "image", ...ref };
    case "sticker":
      return { type: "sticker", ...ref };
    case "audio":
    case "video":
      return { type, ...ref };
    case "file": {
      const filename = url ? filenameOf(url) : undefined;
      return { type: "document", ...ref, ...(filename && { filename }) };
    }
    case "location": {
      // Legacy: current docs no longer list location attachments, older clients still send them.
      const c = isObj(payload.coordinates) ? payload.coordinates : {};
      if (typeof c.lat === "number" && typeof c.long === "number") {
        return {
          type: "location",
          latitude: c.lat,
          longitude: c.long,
          ...(str(a.title) && { name: str(a.title) }),
          ...(str(a.url) && { url: str(a.url) }),
        };
      }
      break;
    }
  }
  return { type: "unsupported", platformType: type, raw: a };
}

/** The file name Meta's CDN keeps as the last path segment of a file's URL, when it has an extension. */
function filenameOf(url: string): string | undefined {
  try {
    const last = new URL(url).pathname.split("/").pop() ?? "";
    const name = decodeURIComponent(last);
    return /^[^/\\]{1,240}\.[A-Za-z0-9]{1,10}$/.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A customer's message: its text (or quick-reply answer) and each attachment become one event each,
 * in order, under the message's `mid`.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
 */
function messageEvents(item: Item, m: Obj): Received[] {
  const mid = str(m.mid);
  if (!mid) throw new Error("message without mid");
  if (!item.peer) throw new Error("message without sender");
  const text = str(m.text);
  const contents: InboundContent[] = [];
  if (isObj(m.quick_reply)) {
    const payload = str(m.quick_reply.payload);
    contents.push({ type: "reply", ...(payload && { id: payload }), title: text ?? payload ?? "", source: "quick_reply" });
  } else if (text) {
    contents.push({ type: "text", text });
  }
  const attachments = list(m.attachments).filter(isObj);
  // Until 30 Aug 2026 a sticker comes twice: as a `sticker` and as an `image` with its sticker_id.
  const hasSticker = attachments.some((a) => a.type === "sticker");
  for (const a of attachments) {
    if (hasSticker && a.type === "image" && isObj(a.payload) && a.payload.sticker_id !== undefined) continue;
    // A link in a text comes back as a `fallback` preview of it: the text already says it all.
    if (text && a.type === "fallback") continue;
    contents.push(attachmentContent(a));
  }
  if (contents.length === 0) contents.push({ type: "unsupported", platformType: "message", raw: m });
  const inReplyTo = isObj(m.reply_to) ? str(m.reply_to.mid) : undefined;
  return contents.map((content, i) => ({
    type: "message.received",
    peer: item.peer!,
    // The first part keeps the bare mid, so the key of a one-part message is simply its id.
    dedupeKey: i === 0 ? `message:${mid}` : `message:${mid}:${i}`,
    message: {
      platformMessageId: mid,
      timestamp: item.timestamp,
      sender: { id: item.peer! },
      content,
      ...(inReplyTo && { inReplyTo }),
    },
  }));
}

/** A received event without a platform message id of its own, keyed by sender, time and content. */
function synthetic(item: Item, kind: string, content: InboundContent, key: string): Received {
  if (!item.peer) throw new Error(`${kind} without sender`);
  const id = `${kind}:${item.peer}:${item.at}:${key}`;
  return {
    type: "message.received",
    peer: item.peer,
    dedupeKey: id,
    message: { platformMessageId: id, timestamp: item.timestamp, sender: { id: item.peer }, content },
  };
}

/**
 * A tap on a postback button (persistent menu, Get Started, template buttons): a reply whose id is the
 * button's payload.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messaging_postbacks
 */
function postbackEvent(item: Item, p: Obj): Received {
  const payload = str(p.payload);
  const content: InboundContent = { type: "reply", ...(payload && { id: payload }), title: str(p.title) ?? payload ?? "", source: "postback" };
  const mid = str(p.mid);
  if (mid && item.peer) {
    return {
      type: "message.received",
      peer: item.peer,
      dedupeKey: `postback:${mid}`,
      message: { platformMessageId: mid, timestamp: item.timestamp, sender: { id: item.peer }, content },
    };
  }
  return synthetic(item, "postback", content, fingerprint(JSON.stringify(p)));
}

/**
 * A reaction to a message, or its removal: an `unreact` is a reaction with an empty emoji (as WhatsApp
 * reports removals).
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-reactions
 */
function reactionEvent(item: Item, r: Obj): Received {
  const action = str(r.action) ?? "react";
  const target = str(r.mid);
  const name = str(r.reaction);
  const emoji = action === "unreact" ? "" : (str(r.emoji) ?? (name && REACTION_EMOJI[name]) ?? "");
  const content: InboundContent = { type: "reaction", emoji, ...(target && { platformMessageId: target }) };
  return synthetic(item, "reaction", content, `${target ?? ""}:${action}`);
}

/**
 * Delivery receipts: one `delivered` per listed mid, and the watermark (everything sent before it is
 * delivered; `mids` may be absent).
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-deliveries
 */
function deliveryEvents(item: Item, d: Obj): Status[] {
  const peer = item.peer;
  if (!peer) throw new Error("delivery without sender");
  const events: Status[] = list(d.mids)
    .map(str)
    .filter((mid): mid is string => mid !== undefined)
    .map((mid) => ({
      type: "message.status",
      peer,
      dedupeKey: `delivery:${mid}`,
      status: { platformMessageId: mid, status: "delivered", timestamp: item.timestamp },
    }));
  const watermark = int(d.watermark);
  if (watermark !== undefined) {
    events.push({
      type: "message.status",
      peer,
      dedupeKey: `delivery:${peer}:${watermark}`,
      status: { watermark: epochToIso(watermark, 0), status: "delivered", timestamp: item.timestamp },
    });
  }
  if (events.length === 0) throw new Error("delivery without mids or watermark");
  return events;
}

/**
 * A read receipt: every message sent to the customer before the watermark is read.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-reads
 */
function readEvent(item: Item, r: Obj): Status {
  const watermark = int(r.watermark);
  if (!item.peer) throw new Error("read without sender");
  if (watermark === undefined) throw new Error("read without watermark");
  return {
    type: "message.status",
    peer: item.peer,
    dedupeKey: `read:${item.peer}:${watermark}`,
    status: { watermark: epochToIso(watermark, 0), status: "read", timestamp: item.timestamp },
  };
}

/**
 * Any other kind (optin, referral, account_linking, handover, ...) still reaches the business, as an
 * `unsupported` message of the customer carrying the raw item. Page-level events without a customer
 * (policy enforcement) become channel errors.
 */
function otherEvent(item: Item): ParsedEvent {
  const kind = Object.keys(item.raw).find((k) => !ENVELOPE_KEYS.has(k)) ?? "unknown";
  const key = fingerprint(JSON.stringify(item.raw));
  if (!item.peer) {
    const body = item.raw[kind];
    const detail = isObj(body) ? [str(body.action), str(body.reason)].filter(Boolean).join(": ") : "";
    return {
      type: "channel.error",
      dedupeKey: `${kind}:${item.at}:${key}`,
      error: {
        code: kind,
        title: `Messenger ${kind} event`,
        ...(detail && { detail: detail.slice(0, MAX_DETAIL) }),
      },
    };
  }
  return synthetic(item, kind, { type: "unsupported", platformType: kind, raw: item.raw }, key);
}

/**
 * The events of one `messaging` (or `standby`) item. The Page's own messages (`is_echo`) give none: they
 * are not the customer's, and the relay already reports what it sent.
 */
function itemEvents(raw: Obj, entryTime: unknown, now: number): ParsedEvent[] {
  const sender = isObj(raw.sender) ? raw.sender : {};
  const item: Item = {
    raw,
    peer: str(sender.id) ?? str(sender.user_ref),
    timestamp: epochToIso(raw.timestamp ?? entryTime, now),
    at: String(int(raw.timestamp) ?? int(entryTime) ?? 0),
  };
  if (isObj(raw.message)) return raw.message.is_echo === true ? [] : messageEvents(item, raw.message);
  if (isObj(raw.postback)) return [postbackEvent(item, raw.postback)];
  if (isObj(raw.reaction)) return [reactionEvent(item, raw.reaction)];
  if (isObj(raw.delivery)) return deliveryEvents(item, raw.delivery);
  if (isObj(raw.read)) return [readEvent(item, raw.read)];
  return [otherEvent(item)];
}

/**
 * Parses one Messenger webhook body (`object: "page"`): every entry of the account's Page, every item
 * of its `messaging` and `standby` (handover protocol: another app holds the thread, the customer still
 * wrote) arrays. Entries of other Pages of the same app are skipped. Each item is parsed on its own so
 * one bad item never drops the rest.
 * @see https://developers.facebook.com/docs/messenger-platform/webhooks#event-notifications
 * @see https://developers.facebook.com/docs/messenger-platform/handover-protocol
 */
export function parseMessengerWebhook(body: Uint8Array, account: Pick<MessengerAccount, "pageId">, now = Date.now()): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return { events: [], problems: ["body is not JSON"] };
  }
  if (!isObj(value)) return { events: [], problems: ["body is not a JSON object"] };
  if (value.object !== "page") return { events: [], problems: [`object '${String(value.object)}' is not a Messenger Page webhook`] };
  const events: ParsedEvent[] = [];
  const problems: string[] = [];
  let foreign = 0;
  list(value.entry).forEach((entry, i) => {
    if (!isObj(entry)) return void problems.push(`entry[${i}]: not an object`);
    if (str(entry.id) !== account.pageId) return void (foreign += 1);
    for (const field of ["messaging", "standby"] as const) {
      list(entry[field]).forEach((item, j) => {
        try {
          if (!isObj(item)) throw new Error("not an object");
          events.push(...itemEvents(item, entry.time, now));
        } catch (e) {
          problems.push(`entry[${i}].${field}[${j}]: ${e instanceof Error ? e.message : String(e)}`);
        }
      });
    }
  });
  return { events, problems, ...(foreign > 0 && { foreign }) };
}
