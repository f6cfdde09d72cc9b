import { decodeJwt } from "jose";
import type { InboundContent } from "../../model";
import { unixSecondsToIso } from "../http";
import type { ParsedEvent, ParseResult } from "../types";
import type { AppleAccount } from "./account";
import { encodeAttachmentRef, hexToBase64 } from "./media";
import { bearerToken } from "./verify";
import { assertJsonDepth, JsonTooDeepError, MAX_WEBHOOK_JSON_DEPTH } from "../../json";
import { TooLargeError } from "../../transport/errors";
import { readStreamBounded } from "../../transport/guarded-fetch";

type Obj = Record<string, unknown>;
type Content = InboundContent;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const problemOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Where an attachment sits in a text message's `body`: U+FFFC OBJECT REPLACEMENT CHARACTER.
 * @see https://register.apple.com/resources/messages/msp-rest-api/messages-received
 */
export const OBJECT_REPLACEMENT = "\uFFFC";

/**
 * The most an Apple body may inflate to. One message per request, attachments by reference: real bodies
 * are a few kilobytes; anything past this is refused with 413 rather than held in memory.
 */
export const MAX_INFLATED_BYTES = 4 * 1024 * 1024;

/** The first two bytes of every gzip stream (RFC 1952). */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/**
 * Apple gzips every body it posts. The gzip magic bytes decide, not `Content-Encoding`: Apple's samples
 * gunzip without looking at headers, and a proxy (or workerd) may already have decompressed the body.
 * @see https://register.apple.com/resources/messages/msp-api-tutorial/receiving-sending-messages
 */
async function decompress(body: Uint8Array): Promise<Uint8Array> {
  if (body[0] !== GZIP_MAGIC[0] || body[1] !== GZIP_MAGIC[1]) return body;
  const stream = new Response(body).body!.pipeThrough(new DecompressionStream("gzip"));
  // Inflated a little at a time and abandoned past the bound: a small body can inflate a thousandfold.
  return readStreamBounded(stream, MAX_INFLATED_BYTES);
}

/** The time Apple sent the message: the `iat` of its (already verified) token; now when it has none. */
function sentAt(headers: Headers, now: number): string {
  const token = bearerToken(headers);
  try {
    return unixSecondsToIso(token ? decodeJwt(token).iat : undefined, now);
  } catch {
    return unixSecondsToIso(undefined, now);
  }
}

/** The kind of media an attachment is, by its MIME type. */
function mediaKind(mimeType: string): "image" | "video" | "audio" | "document" {
  const top = mimeType.split("/")[0]?.toLowerCase();
  return top === "image" || top === "video" || top === "audio" ? top : "document";
}

/**
 * One attachment of a text message as media content. The MMCS reference and key go into `mediaId` for
 * `fetchMedia`; Apple's download URL itself needs the MSP's token and is never put in the event.
 */
function attachmentContent(a: unknown, caption: string | undefined): Content {
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
  return {
    type: mediaKind(mimeType),
    mediaId: encodeAttachmentRef({ url, owner, signature, key, mimeType, name }),
    mimeType,
    filename: name,
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

/** The message's items in order: its text (if any is left once the placeholders are gone), then each attachment. */
function textItems(m: Obj): (() => Content)[] {
  const body = str(m.body) ?? "";
  const attachments = list(m.attachments);
  if (attachments.length === 0) {
    const text = body.trim();
    return [() => mapsLocation(text) ?? { type: "text", text: body }];
  }
  const text = body.split(OBJECT_REPLACEMENT).join("").trim();
  // One attachment with a few words is a captioned photo; several share no caption, so the text goes first.
  if (attachments.length === 1) return [() => attachmentContent(attachments[0], text || undefined)];
  return [...(text ? [(): Content => ({ type: "text", text })] : []), ...attachments.map((a) => () => attachmentContent(a, undefined))];
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
function interactiveItems(m: Obj): (() => Content)[] {
  const unsupported = (): Content => ({ type: "unsupported", platformType: "interactive", raw: m });
  const interactive = isObj(m.interactiveData) ? m.interactiveData : undefined;
  const data = interactive && isObj(interactive.data) ? interactive.data : undefined;
  if (!interactive || !data) return [unsupported];

  const quick = data["quick-reply"];
  if (isObj(quick)) {
    const items = list(quick.items).filter(isObj);
    const index = typeof quick.selectedIndex === "number" ? quick.selectedIndex : undefined;
    const id = str(quick.selectedIdentifier) ?? (index !== undefined ? str(items[index]?.identifier) : undefined);
    if (!id) return [unsupported];
    const picked = items.find((i) => i.identifier === id) ?? (index !== undefined ? items[index] : undefined);
    // Apple's answer may name only the identifier: the title falls back to the reply bubble, then the id.
    const title = str(picked?.title) ?? replyTitle(interactive, data) ?? id;
    return [() => ({ type: "reply", id, title, source: "quick_reply" })];
  }

  if (isObj(data.listPicker)) {
    // In a list picker's answer the sections hold only the items the customer picked.
    const picked = list(data.listPicker.sections).filter(isObj).flatMap((s) => list(s.items));
    if (picked.length === 0) return [unsupported];
    return picked.map((item) => (): Content => {
      if (!isObj(item) || !str(item.title)) throw new Error("picked list item without a title");
      return { type: "reply", ...(str(item.identifier) && { id: str(item.identifier) }), title: str(item.title)!, source: "list" };
    });
  }

  if (isObj(data.event) && Array.isArray(data.event.timeslots)) {
    const slots = list(data.event.timeslots);
    if (slots.length === 0) return [unsupported];
    return slots.map((slot) => (): Content => {
      if (!isObj(slot) || !str(slot.startTime)) throw new Error("picked time slot without a startTime");
      // The start time is what the customer chose; the business's identifier names the slot.
      return { type: "reply", ...(str(slot.identifier) && { id: str(slot.identifier) }), title: str(slot.startTime)!, source: "list" };
    });
  }
  return [unsupported];
}

/**
 * Parses one Apple Messages for Business request (gzip-compressed JSON, one message per request) into
 * unified events. `text` gives a text (or a location, for a bare Apple Maps link) and one media event per
 * attachment; `interactive` gives replies; `typing_start`, `typing_end`, `close` and unknown types reach
 * the business as `unsupported`. Each item of a message is parsed on its own, so one bad attachment never
 * drops the rest. Apple sends no delivery or read receipts.
 * @see https://register.apple.com/resources/messages/msp-rest-api/messages-received
 * @see https://register.apple.com/resources/messages/msp-rest-api/common-specs
 */
export async function parseAppleWebhook(
  body: Uint8Array,
  account: AppleAccount,
  headers: Headers,
  now = Date.now(),
): Promise<ParseResult> {
  let m: unknown;
  try {
    const json = await decompress(body);
    assertJsonDepth(json, MAX_WEBHOOK_JSON_DEPTH);
    m = JSON.parse(new TextDecoder().decode(json));
  } catch (e) {
    // Too large or too deep is the request's fault, answered as such (413, 422), not skipped as an item.
    if (e instanceof TooLargeError || e instanceof JsonTooDeepError) throw e;
    return { events: [], problems: [`body is not (gzip-compressed) JSON: ${problemOf(e)}`] };
  }
  if (!isObj(m)) return { events: [], problems: ["body is not a JSON object"] };

  // The headers are Apple's required routing fields; the body repeats them.
  const id = str(headers.get("id")) ?? str(m.id);
  const peer = str(headers.get("source-id")) ?? str(m.sourceId);
  const destination = str(headers.get("destination-id")) ?? str(m.destinationId);
  if (!id || !peer) return { events: [], problems: ["message without id or source-id"] };
  if (destination && destination !== account.businessId) {
    // Answering it from this account would write to the customer as the wrong business.
    return { events: [], problems: [`message ${id} is for business '${destination}', not this account's`] };
  }

  const type = str(m.type) ?? "unknown";
  const items: (() => Content)[] =
    type === "text"
      ? textItems(m)
      : type === "interactive"
        ? interactiveItems(m)
        : [() => ({ type: "unsupported", platformType: type, raw: m })];
  const inReplyTo =
    type === "interactive" && isObj(m.interactiveData) && isObj(m.interactiveData.data)
      ? str(m.interactiveData.data.requestIdentifier)
      : undefined;
  const timestamp = sentAt(headers, now);

  const events: ParsedEvent[] = [];
  const problems: string[] = [];
  items.forEach((item, i) => {
    try {
      events.push({
        type: "message.received",
        peer,
        // One Apple message can carry several items (attachments, picked rows): each gets its own key.
        dedupeKey: i === 0 ? `message:${id}` : `message:${id}:${i}`,
        message: {
          platformMessageId: id,
          timestamp,
          sender: { id: peer },
          content: item(),
          ...(inReplyTo && { inReplyTo }),
        },
      });
    } catch (e) {
      problems.push(`message ${id} item ${i}: ${problemOf(e)}`);
    }
  });
  return { events, problems };
}
