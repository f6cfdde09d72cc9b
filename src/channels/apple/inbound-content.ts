import type { InboundContent } from "../../model";
import type { AppleAccount } from "./account";
import { sealAttachmentRef } from "./attachment-ref";
import { hexToBase64 } from "./media";

type Obj = Record<string, unknown>;
type Content = InboundContent;
/** One item of a message, read on its own so that a bad one never drops the others. */
export type Item = () => Content | Promise<Content>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * Where an attachment sits in a text message's `body`: U+FFFC OBJECT REPLACEMENT CHARACTER.
 * @see https://register.apple.com/resources/messages/msp-rest-api/messages-received
 */
export const OBJECT_REPLACEMENT = "\uFFFC";

/** The fields of an MMCS reference (an attachment, an `interactiveDataRef`) that locate or decrypt its file. */
const MMCS_SECRET_FIELDS = new Set(["key", "owner", "url", "signature", "signature-base64"]);
/** An MMCS decryption key: `"00"` and 32 bytes of hex. */
const MMCS_KEY = /^00[0-9a-f]{64}$/i;

/** Whether an object is an MMCS reference: it names an owner or a signature, or holds a decryption key. */
function isMmcsRef(o: Obj): boolean {
  return "owner" in o || "signature" in o || "signature-base64" in o || (typeof o.key === "string" && MMCS_KEY.test(o.key));
}

/**
 * Apple's item with every MMCS reference in it stripped of what locates or decrypts a file (its url,
 * owner, signature and key): what reaches the business as `raw` of unsupported content. The rest (name,
 * MIME type, size, the extension's `bid`) stays.
 */
export function withoutMmcsSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMmcsSecrets);
  if (!isObj(value)) return value;
  const strip = isMmcsRef(value);
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !(strip && MMCS_SECRET_FIELDS.has(k)))
      .map(([k, v]) => [k, withoutMmcsSecrets(v)]),
  );
}

/** Unmodelled content carrying Apple's item, without its MMCS secrets. */
export const unsupported = (platformType: string, raw: unknown): Content => ({ type: "unsupported", platformType, raw: withoutMmcsSecrets(raw) });

/** The kind of media an attachment is, by its MIME type. */
function mediaKind(mimeType: string): "image" | "video" | "audio" | "document" {
  const top = mimeType.split("/")[0]?.toLowerCase();
  return top === "image" || top === "video" || top === "audio" ? top : "document";
}

/** A size in bytes as Apple sends it: a number, or a string of digits. */
function byteSize(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * One attachment of a text message as media content. Its MMCS url, owner, signature and decryption key
 * are sealed into `mediaId` for `fetchMedia`: the business gets a relay URL, never the means to reach or
 * decrypt the file on Apple's side.
 */
async function attachmentContent(a: unknown, caption: string | undefined, account: AppleAccount): Promise<Content> {
  if (!isObj(a)) throw new Error("not an object");
  const url = str(a.url);
  const owner = str(a.owner);
  const key = str(a.key);
  // Apple sends the MMCS signature hex-encoded; what an MSP uploads itself carries `signature-base64`.
  const hexSignature = str(a.signature);
  const signature = str(a["signature-base64"]) ?? (hexSignature ? hexToBase64(hexSignature) : null);
  if (!url || !owner || !key || !signature) throw new Error("attachment without url, owner, key or signature");
  const mimeType = str(a.mimeType) ?? "application/octet-stream";
  const name = str(a.name) ?? "attachment";
  const size = byteSize(a.size);
  return {
    type: mediaKind(mimeType),
    mediaId: await sealAttachmentRef({ url, owner, signature, key, mimeType, name }, account),
    mimeType,
    filename: name,
    ...(size !== undefined && { size }),
    ...(caption && { caption }),
  };
}

/** Apple Maps links carry the place: `ll=` (or `coordinate=` in newer links), and a name in `q`/`name`. */
const APPLE_MAPS_HOST = "maps.apple.com";

/**
 * A text that is nothing but an Apple Maps link is how a customer shares a location in Messages (there
 * is no location message type); it becomes a location.
 * @see https://developer.apple.com/library/archive/featuredarticles/iPhoneURLScheme_Reference/MapLinks/MapLinks.html
 */
function mapsLocation(text: string): Content | undefined {
  if (!/^https?:\/\/\S+$/.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.hostname !== APPLE_MAPS_HOST) return undefined;
  const [lat, lon, ...rest] = (url.searchParams.get("ll") ?? url.searchParams.get("coordinate") ?? "").split(",").map(Number);
  if (rest.length > 0 || lat === undefined || lon === undefined) return undefined;
  if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180)) return undefined;
  const name = str(url.searchParams.get("q")) ?? str(url.searchParams.get("name"));
  const address = str(url.searchParams.get("address"));
  return { type: "location", latitude: lat, longitude: lon, ...(name && { name }), ...(address && { address }), url: text };
}

/**
 * The items of a `text` message in order: its text (if any is left once the placeholders are gone), then
 * each attachment.
 * @see https://register.apple.com/resources/messages/msp-rest-api/messages-received
 */
export function textItems(m: Obj, account: AppleAccount): Item[] {
  const body = str(m.body) ?? "";
  const attachments = list(m.attachments);
  if (attachments.length === 0) {
    const text = body.trim();
    return [() => mapsLocation(text) ?? { type: "text", text: body }];
  }
  const text = body.split(OBJECT_REPLACEMENT).join("").trim();
  // One attachment with a few words is a captioned photo; several share no caption, so the text goes first.
  if (attachments.length === 1) return [() => attachmentContent(attachments[0], text || undefined, account)];
  return [
    ...(text ? [(): Content => ({ type: "text", text })] : []),
    ...attachments.map((a) => () => attachmentContent(a, undefined, account)),
  ];
}

/** The bubble the customer's reply shows, when Apple sends one. */
function replyTitle(interactive: Obj, data: Obj): string | undefined {
  const reply = isObj(data.replyMessage) ? data.replyMessage : isObj(interactive.replyMessage) ? interactive.replyMessage : undefined;
  return reply ? str(reply.title) : undefined;
}

/**
 * The customer's answer to an interactive message: the picked quick reply, each picked list item, the
 * picked time slot. Anything else (Apple Pay, authentication, forms, iMessage apps, a payload too large
 * to inline) reaches the business unmodelled.
 * @see https://register.apple.com/resources/messages/msp-rest-api/type-interactive
 */
export function interactiveItems(m: Obj): Item[] {
  const other = () => unsupported("interactive", m);
  const interactive = isObj(m.interactiveData) ? m.interactiveData : undefined;
  const data = interactive && isObj(interactive.data) ? interactive.data : undefined;
  if (!interactive || !data) return [other];

  const quick = data["quick-reply"];
  if (isObj(quick)) {
    const items = list(quick.items).filter(isObj);
    const index = typeof quick.selectedIndex === "number" ? quick.selectedIndex : undefined;
    const id = str(quick.selectedIdentifier) ?? (index !== undefined ? str(items[index]?.identifier) : undefined);
    if (!id) return [other];
    const picked = items.find((i) => i.identifier === id) ?? (index !== undefined ? items[index] : undefined);
    // Apple's answer may name only the identifier: the title falls back to the reply bubble, then the id.
    const title = str(picked?.title) ?? replyTitle(interactive, data) ?? id;
    return [() => ({ type: "reply", id, title, source: "quick_reply" })];
  }

  if (isObj(data.listPicker)) {
    // In a list picker's answer the sections hold only the items the customer picked.
    const picked = list(data.listPicker.sections).filter(isObj).flatMap((s) => list(s.items));
    if (picked.length === 0) return [other];
    return picked.map((item) => (): Content => {
      if (!isObj(item) || !str(item.title)) throw new Error("picked list item without a title");
      return { type: "reply", ...(str(item.identifier) && { id: str(item.identifier) }), title: str(item.title)!, source: "list" };
    });
  }

  if (isObj(data.event) && Array.isArray(data.event.timeslots)) {
    const slots = list(data.event.timeslots);
    if (slots.length === 0) return [other];
    return slots.map((slot) => (): Content => {
      if (!isObj(slot) || !str(slot.startTime)) throw new Error("picked time slot without a startTime");
      // The start time is what the customer chose; the business's identifier names the slot.
      return { type: "reply", ...(str(slot.identifier) && { id: str(slot.identifier) }), title: str(slot.startTime)!, source: "list" };
    });
  }
  return [other];
}
