/**
 * A WhatsApp `statuses` item: the status of a message the business sent, with what it costs and the
 * WhatsApp conversation it was billed in; or (the container's `deleted`) a customer deleting their message.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/status/
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/webhooks/outbound
 */
import type { PlatformConversation, Pricing } from "../../model";
import { unixSecondsToIso } from "../http";
import type { ParsedEvent } from "../types";
import { type ContactIndex, customerOf } from "./customer";
import { firstError, toStatusError } from "./errors";
import { isObj, isoFromUnixSeconds, type Obj, str } from "./json";

const STATUSES = ["sent", "delivered", "read", "failed"] as const;
/** "A message sent by the customer was deleted by the customer": the status names the customer's message. */
const DELETED = "deleted";

/** Drops undefined fields; undefined when none is left. */
function present<T extends object>(o: T): T | undefined {
  const kept = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return Object.keys(kept).length > 0 ? kept : undefined;
}

/**
 * `pricing`: `billable`, `pricing_model` (`CBP` per conversation, `PMP` per message since July 2025),
 * `category`, and with per-message pricing `type` (`regular`, `free_customer_service`, `free_entry_point`).
 * @see https://developers.facebook.com/docs/whatsapp/pricing
 */
export function pricingOf(v: unknown): Pricing | undefined {
  if (!isObj(v)) return undefined;
  return present({
    billable: typeof v.billable === "boolean" ? v.billable : undefined,
    model: str(v.pricing_model),
    category: str(v.category),
    type: str(v.type),
  });
}

/**
 * `conversation`: WhatsApp's own conversation (`id`, `origin.type`, `expiration_timestamp` in Unix seconds,
 * a number or a string).
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/status/
 */
export function conversationOf(v: unknown): PlatformConversation | undefined {
  if (!isObj(v)) return undefined;
  return present({
    id: str(v.id),
    category: isObj(v.origin) ? str(v.origin.type) : undefined,
    expiresAt: isoFromUnixSeconds(v.expiration_timestamp),
  });
}

/**
 * Parses one status. `peerOf` is the dialect's better knowledge of the conversation (the Cloud API echoes
 * what the relay sent in `biz_opaque_callback_data`); otherwise the recipient's phone number, else its
 * business-scoped id. Statuses of messages sent elsewhere (the WhatsApp Business app, another tool) are
 * kept: the business sees them all.
 */
export function parseStatus(s: Obj, contacts: ContactIndex, peerOf: (s: Obj) => string | undefined): ParsedEvent {
  const id = str(s.id);
  const timestamp = unixSecondsToIso(s.timestamp);
  if (s.status === DELETED) {
    const ids = { phone: str(s.recipient_id), bsuid: str(s.recipient_user_id), parent: str(s.recipient_parent_user_id) };
    const sender = customerOf(ids, contacts);
    if (!id || !sender) throw new Error("status without id or recipient");
    return { type: "message.deleted", peer: sender.id, dedupeKey: `status:${id}:${DELETED}`, message: { platformMessageId: id, timestamp, sender } };
  }
  const peer = peerOf(s) ?? str(s.recipient_id) ?? str(s.recipient_user_id);
  const status = STATUSES.find((x) => x === s.status);
  if (!id || !peer) throw new Error("status without id or recipient");
  if (!status) throw new Error(`status '${String(s.status)}' is not one the relay tracks`);
  const error = firstError(s);
  const pricing = pricingOf(s.pricing);
  const platformConversation = conversationOf(s.conversation);
  return {
    type: "message.status",
    peer,
    dedupeKey: `status:${id}:${status}`,
    status: {
      platformMessageId: id,
      status,
      timestamp,
      ...(status === "failed" && { error: error ? toStatusError(error) : { reason: "platform_error" } }),
      ...(pricing && { pricing }),
      ...(platformConversation && { platformConversation }),
    },
  };
}
