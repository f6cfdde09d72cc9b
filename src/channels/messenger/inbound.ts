import type { InboundContent, Referral } from "../../model";
import { fingerprint } from "../http";
import type { ParsedEvent, ParseResult } from "../types";
import type { MessengerAccount } from "./account";
import { attachmentContent } from "./attachments";
import { customerOf, customerOrThrow, epochToIso, int, isObj, list, str, syntheticKey, type Item, type Obj } from "./item";
import { optinEvent, referralEvent, startedEvent } from "./lifecycle";
import { deliveryEvents, readEvent } from "./receipts";
import { referralOf } from "./referral";

type Received = Extract<ParsedEvent, { type: "message.received" }>;
type Edited = Extract<ParsedEvent, { type: "message.edited" }>;

/** Longest `detail` of a channel error built from an unknown event. */
const MAX_DETAIL = 1000;

/**
 * What the `reaction` names stand for, when a reaction carries no emoji.
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

/** A customer's message event: `platformMessageId` and `content` vary, the rest is the item's. */
function received(item: Item, dedupeKey: string, platformMessageId: string, content: InboundContent, extra: { inReplyTo?: string; referral?: Referral } = {}): Received {
  const customer = customerOrThrow(item, "message");
  return {
    type: "message.received",
    peer: customer.id,
    dedupeKey,
    message: { platformMessageId, timestamp: item.timestamp, sender: customer, content, ...extra },
  };
}

/**
 * A customer's message: its text (or quick-reply answer) and each attachment become one event each,
 * in order, under the message's `mid`. A message sent from a Click-to-Messenger ad carries the ad as
 * `referral` on each part.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
 */
function messageEvents(item: Item, m: Obj): Received[] {
  const mid = str(m.mid);
  if (!mid) throw new Error("message without mid");
  customerOrThrow(item, "message");
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
  const referral = referralOf(m.referral);
  const extra = { ...(inReplyTo && { inReplyTo }), ...(referral && { referral }) };
  // The first part keeps the bare mid, so the key of a one-part message is simply its id.
  return contents.map((content, i) => received(item, i === 0 ? `message:${mid}` : `message:${mid}:${i}`, mid, content, extra));
}

/**
 * A customer edited a text they sent (at most five times): the new text, under the edited message's
 * `mid`; `num_edit` tells the edits of one message apart.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-edits
 */
function editEvent(item: Item, e: Obj): Edited {
  const mid = str(e.mid);
  if (!mid) throw new Error("message_edit without mid");
  const customer = customerOrThrow(item, "message_edit");
  const text = typeof e.text === "string" ? e.text : undefined;
  return {
    type: "message.edited",
    peer: customer.id,
    dedupeKey: `edit:${mid}:${int(e.num_edit) ?? item.at}`,
    message: {
      platformMessageId: mid,
      timestamp: item.timestamp,
      sender: customer,
      content: text === undefined ? { type: "unsupported", platformType: "message_edit", raw: e } : { type: "text", text },
    },
  };
}

/** A received event without a platform message id of its own, keyed by sender, time and `key`. */
function synthetic(item: Item, kind: string, content: InboundContent, key: string, extra?: { referral?: Referral }): Received {
  customerOrThrow(item, kind);
  const id = syntheticKey(item, kind, key);
  return received(item, id, id, content, extra);
}

/**
 * A tap on a postback button (persistent menu, Get Started, template buttons): a reply whose id is the
 * button's payload. A postback with a `referral` also opened the conversation (see `startedEvent`): that
 * event comes first, and the reply carries the referral too.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messaging_postbacks
 */
function postbackEvents(item: Item, p: Obj): ParsedEvent[] {
  customerOrThrow(item, "postback");
  const payload = str(p.payload);
  const content: InboundContent = { type: "reply", ...(payload && { id: payload }), title: str(p.title) ?? payload ?? "", source: "postback" };
  const mid = str(p.mid);
  const referral = referralOf(p.referral);
  const extra = referral && { referral };
  const reply = mid
    ? received(item, `postback:${mid}`, mid, content, extra)
    : synthetic(item, "postback", content, fingerprint(JSON.stringify(p)), extra);
  const started = startedEvent(item, referral, reply.dedupeKey);
  return started ? [started, reply] : [reply];
}

/**
 * A reaction to a message, or its removal (`unreact`, with the emoji taken back when Meta names it).
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-reactions
 */
function reactionEvent(item: Item, r: Obj): Received {
  const action = str(r.action) ?? "react";
  const target = str(r.mid);
  const name = str(r.reaction);
  const emoji = str(r.emoji) ?? (name && REACTION_EMOJI[name]) ?? "";
  const content: InboundContent = {
    type: "reaction",
    emoji,
    ...(target && { platformMessageId: target }),
    ...(action === "unreact" && { removed: true }),
  };
  return synthetic(item, "reaction", content, `${target ?? ""}:${action}`);
}

/**
 * Any other kind (account_linking, handover, ...) still reaches the business, as an `unsupported`
 * message of the customer carrying the raw item. Page-level events without a customer (policy
 * enforcement) become channel errors.
 */
function otherEvent(item: Item): ParsedEvent {
  const kind = Object.keys(item.raw).find((k) => !ENVELOPE_KEYS.has(k)) ?? "unknown";
  const key = fingerprint(JSON.stringify(item.raw));
  if (!item.customer) {
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
  const customer = customerOf(raw.sender);
  const item: Item = {
    raw,
    ...(customer && { customer }),
    timestamp: epochToIso(raw.timestamp ?? entryTime, now),
    at: String(int(raw.timestamp) ?? int(entryTime) ?? 0),
  };
  if (isObj(raw.message)) return raw.message.is_echo === true ? [] : messageEvents(item, raw.message);
  if (isObj(raw.message_edit)) return [editEvent(item, raw.message_edit)];
  if (isObj(raw.postback)) return postbackEvents(item, raw.postback);
  if (isObj(raw.reaction)) return [reactionEvent(item, raw.reaction)];
  if (isObj(raw.optin)) return [optinEvent(item, raw.optin)];
  if (isObj(raw.referral)) return [referralEvent(item, raw.referral)];
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
