import type { Referral } from "../../model";
import type { ParsedEvent } from "../types";
import { customerOf, epochIso, str, syntheticKey, type Item, type Obj } from "./item";
import { referralOf } from "./referral";

type Subscribed = Extract<ParsedEvent, { type: "contact.subscribed" }>;
type Unsubscribed = Extract<ParsedEvent, { type: "contact.unsubscribed" }>;

/** The opt-in of Marketing Messages (formerly recurring notifications). */
const NOTIFICATION_MESSAGES = "notification_messages";
/**
 * `notification_messages_status` when the customer stops Marketing Messages. Meta documents
 * `STOP NOTIFICATIONS`; courier's fixtures have `STOP_NOTIFICATIONS`: both are read.
 */
const STOPPED = "STOP_NOTIFICATIONS";
/** Why a customer is unsubscribed after stopping a topic of Marketing Messages. */
export const STOPPED_REASON = "stopped";

/** A status as one spelling: upper case, words joined by `_`. */
const statusOf = (v: unknown): string | undefined => str(v)?.trim().toUpperCase().replace(/[\s_]+/g, "_");

/**
 * An opt-in. Marketing Messages (`type: notification_messages`) give the topic the customer agreed to
 * (`notification_messages_topic`, `topic`, else the opt-in template's `title`), the token to send under
 * it (`notification_messages_token`), when that token expires (`token_expiry_timestamp`) and the
 * business's `payload` as `ref`; `notification_messages_status: STOP NOTIFICATIONS` unsubscribes from
 * the topic, `RESUME NOTIFICATIONS` (or a re-opt-in) subscribes again. The older plugins (Send to
 * Messenger, checkbox) give a `ref`, and the checkbox plugin only a `user_ref` instead of a sender.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messaging_optins
 * @see https://developers.facebook.com/docs/messenger-platform/marketing-messages
 */
export function optinEvent(item: Item, o: Obj): Subscribed | Unsubscribed {
  const customer = item.customer ?? customerOf(item.raw.sender, str(o.user_ref));
  if (!customer) throw new Error("optin without sender or user_ref");
  const base = { peer: customer.id, dedupeKey: syntheticKey({ ...item, customer }, "optin"), timestamp: item.timestamp, customer };
  if (o.type !== NOTIFICATION_MESSAGES) {
    return { type: "contact.subscribed", ...base, ...(str(o.ref) && { ref: str(o.ref) }) };
  }
  const topic = str(o.notification_messages_topic) ?? str(o.topic) ?? str(o.title);
  if (statusOf(o.notification_messages_status) === STOPPED) {
    return { type: "contact.unsubscribed", ...base, ...(topic && { topic }), reason: STOPPED_REASON };
  }
  const token = str(o.notification_messages_token);
  const ref = str(o.payload) ?? str(o.ref);
  const expiresAt = epochIso(o.token_expiry_timestamp);
  return {
    type: "contact.subscribed",
    ...base,
    ...(topic && { topic }),
    ...(token && { token }),
    ...(ref && { ref }),
    ...(expiresAt && { expiresAt }),
  };
}

/**
 * A customer who already has a thread came back through an m.me link, an ad or the chat plugin (whose
 * events carry a `user_ref` instead of a PSID). New threads report their referral on the Get Started
 * postback instead (see `startedEvent`).
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messaging_referrals
 */
export function referralEvent(item: Item, r: Obj): Extract<ParsedEvent, { type: "conversation.referral" }> {
  if (!item.customer) throw new Error("referral without sender");
  const referral = referralOf(r);
  if (!referral) throw new Error("referral without any of ref, source, type or ad");
  return {
    type: "conversation.referral",
    peer: item.customer.id,
    dedupeKey: syntheticKey(item, "referral"),
    timestamp: item.timestamp,
    customer: item.customer,
    referral,
  };
}

/**
 * The conversation a postback with a `referral` (as `referralOf` reads it) opened: Meta sends the referral
 * on the first postback only, after the customer tapped Get Started in a new thread from an m.me link, an
 * ad, a Messenger code or the Discover tab. `replyKey` is the reply's own key: both events of the postback stay distinct.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messaging_postbacks
 */
export function startedEvent(item: Item, referral: Referral | undefined, replyKey: string): Extract<ParsedEvent, { type: "conversation.started" }> | undefined {
  if (!referral || !item.customer) return undefined;
  return {
    type: "conversation.started",
    peer: item.customer.id,
    dedupeKey: `started:${replyKey}`,
    timestamp: item.timestamp,
    customer: item.customer,
    trigger: "get_started",
    referral,
  };
}
