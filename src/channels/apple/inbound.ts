import { decodeJwt } from "jose";
import type { Customer, Referral } from "../../model";
import { unixSecondsToIso } from "../http";
import type { ParsedEvent, ParseResult } from "../types";
import type { AppleAccount } from "./account";
import { interactiveItems, type Item, textItems, unsupported } from "./inbound-content";
import { bearerToken } from "./verify";
import { assertJsonDepth, JsonTooDeepError, MAX_WEBHOOK_JSON_DEPTH } from "../../json";
import { TooLargeError } from "../../transport/errors";
import { readStreamBounded } from "../../transport/guarded-fetch";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const problemOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The most an Apple body may inflate to. One message per request, attachments by reference: real bodies
 * are a few kilobytes; anything past this is refused with 413 rather than held in memory.
 */
export const MAX_INFLATED_BYTES = 4 * 1024 * 1024;

/** The first two bytes of every gzip stream (RFC 1952). */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/**
 * What Apple sends besides messages: the customer started or stopped typing, or closed (deleted) the
 * conversation. No delivery or read receipts.
 * @see https://register.apple.com/resources/messages/msp-rest-api/messages-received
 */
const LIFECYCLE_TYPES = {
  typing_start: "typing.started",
  typing_end: "typing.stopped",
  close: "conversation.closed",
} as const;

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

/** A field Apple sends in the body, or else as a header of the same name (sources differ on which). */
const field = (m: Obj, headers: Headers, name: string) => str(m[name]) ?? str(headers.get(name));

/**
 * The customer: their opaque id (`urn:mbid:...`, unique to this business), and their device's locale
 * (`en_US`) as the language.
 * @see https://register.apple.com/resources/messages/msp-rest-api/common-specs
 */
function appleCustomer(peer: string, m: Obj, headers: Headers): Customer {
  const locale = field(m, headers, "locale");
  return { id: peer, ...(locale && { language: locale }), identities: [{ kind: "opaque_id", value: peer }] };
}

/**
 * The entry point the customer came through: the business's `biz-intent-id` (the purpose of the chat)
 * and `biz-group-id` (the team to route it to) of a "Message Us" link or button, which Apple passes on
 * as `intent` and `group`. The intent is the referral's `ref`, the group its `source`.
 * @see https://developer.apple.com/documentation/businesschat/bcchataction/about_intent_group_and_body_values
 */
function entryPoint(m: Obj, headers: Headers): Referral | undefined {
  const intent = field(m, headers, "intent");
  const group = field(m, headers, "group");
  if (!intent && !group) return undefined;
  return { ...(intent && { ref: intent }), ...(group && { source: group }) };
}

/** The items of a customer's message, by its type; an unknown type reaches the business unmodelled. */
function itemsOf(type: string, m: Obj, account: AppleAccount): Item[] {
  if (type === "text") return textItems(m, account);
  if (type === "interactive") return interactiveItems(m);
  return [() => unsupported(type, m)];
}

/** The id of the relay's interactive message an answer replies to (the `requestIdentifier` it was sent with). */
function inReplyToOf(type: string, m: Obj): string | undefined {
  if (type !== "interactive" || !isObj(m.interactiveData) || !isObj(m.interactiveData.data)) return undefined;
  return str(m.interactiveData.data.requestIdentifier);
}

/**
 * Parses one Apple Messages for Business request (gzip-compressed JSON, one message per request) into
 * unified events. `text` gives a text (or a location, for a bare Apple Maps link) and one media event per
 * attachment; `interactive` gives replies; `typing_start`, `typing_end` and `close` give typing and
 * conversation events; unknown types reach the business as `unsupported`. Each item of a message is
 * parsed on its own, so one bad attachment never drops the rest. Apple sends no delivery or read receipts.
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
  const timestamp = sentAt(headers, now);
  const customer = appleCustomer(peer, m, headers);
  if (type in LIFECYCLE_TYPES) {
    const event = LIFECYCLE_TYPES[type as keyof typeof LIFECYCLE_TYPES];
    return { events: [{ type: event, peer, dedupeKey: `${type}:${id}`, timestamp, customer }], problems: [] };
  }

  const inReplyTo = inReplyToOf(type, m);
  const referral = entryPoint(m, headers);
  const events: ParsedEvent[] = [];
  const problems: string[] = [];
  for (const [i, item] of itemsOf(type, m, account).entries()) {
    try {
      events.push({
        type: "message.received",
        peer,
        // One Apple message can carry several items (attachments, picked rows): each gets its own key.
        dedupeKey: i === 0 ? `message:${id}` : `message:${id}:${i}`,
        message: {
          platformMessageId: id,
          timestamp,
          sender: customer,
          content: await item(),
          ...(inReplyTo && { inReplyTo }),
          ...(referral && { referral }),
        },
      });
    } catch (e) {
      problems.push(`message ${id} item ${i}: ${problemOf(e)}`);
    }
  }
  return { events, problems };
}
