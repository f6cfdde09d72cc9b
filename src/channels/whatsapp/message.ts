/**
 * One WhatsApp message object as a unified event: most are a message received; some say something else
 * happened (an edit, a revoke, a welcome request, a number change, a marketing preference).
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/webhooks/inbound
 */
import type { Identity } from "../../model";
import { unixSecondsToIso } from "../http";
import type { ParsedEvent } from "../types";
import { messageContext, whatsappContent, whatsappReferral } from "./content";
import { type ContactIndex, customerOf, senderIds } from "./customer";
import { isObj, type Obj, str } from "./json";
import { MARKETING_TOPIC, preferenceEvent } from "./lifecycle";

/** The customer opened the chat for the first time (welcome messages enabled on the number). */
const REQUEST_WELCOME = "request_welcome";
/** The container's system message for a customer stopping or resuming marketing messages. */
const PREFERENCE_CHANGED = "user_preference_changed";

/**
 * The ids a `system` message adds: the new number of a number change (`wa_id`, the container's older
 * `new_wa_id`), the new business-scoped ids of an id change, the previous id (`customer`). The sender's
 * `from` stays the peer: the conversation the business knows.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/system/
 */
function systemIdentities(system: Obj): Identity[] {
  const ids: [Identity["kind"], unknown][] = [
    ["phone", system.customer],
    ["phone", system.wa_id],
    ["phone", system.new_wa_id],
    ["business_scoped_id", system.user_id],
    ["parent_business_scoped_id", system.parent_user_id],
  ];
  return ids.flatMap(([kind, v]) => (str(v) ? [{ kind, value: str(v)! }] : []));
}

/** `edit.original_message_id` / `revoke.original_message_id`: the message edited or revoked. */
function originalId(m: Obj, type: string): string {
  const original = isObj(m[type]) ? str((m[type] as Obj).original_message_id) : undefined;
  if (!original) throw new Error(`${type} without original_message_id`);
  return original;
}

/**
 * Parses one message object. Edits and revokes (WhatsApp Business app numbers) name the original message;
 * Meta sends them only for customers of numbers also used in the app.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/edit
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/revoke
 */
export function parseMessage(m: Obj, contacts: ContactIndex): ParsedEvent {
  const id = str(m.id);
  const type = str(m.type) ?? "unknown";
  const system = type === "system" && isObj(m.system) ? m.system : undefined;
  const sender = customerOf(senderIds(m), contacts, system ? systemIdentities(system) : []);
  if (!id || !sender) throw new Error("message without id or sender");
  const timestamp = unixSecondsToIso(m.timestamp);
  const base = { peer: sender.id, dedupeKey: `message:${id}` };
  if (type === REQUEST_WELCOME) {
    const referral = whatsappReferral(m.referral);
    return { type: "conversation.started", ...base, timestamp, customer: sender, trigger: REQUEST_WELCOME, ...(referral && { referral }) };
  }
  if (type === "revoke") {
    return { type: "message.deleted", ...base, message: { platformMessageId: originalId(m, type), timestamp, sender } };
  }
  if (type === "edit") {
    const platformMessageId = originalId(m, type);
    const edited = (m.edit as Obj).message; // `edit` is an object: it has the original's id
    if (!isObj(edited)) throw new Error("edit without the edited message");
    const content = whatsappContent(edited);
    return { type: "message.edited", ...base, message: { platformMessageId, timestamp, sender, content, ...messageContext(edited) } };
  }
  if (system && system.type === PREFERENCE_CHANGED) {
    return preferenceEvent(system.marketing, { topic: MARKETING_TOPIC, detail: str(system.body), timestamp, customer: sender, dedupeKey: base.dedupeKey });
  }
  return {
    type: "message.received",
    ...base,
    message: { platformMessageId: id, timestamp, sender, content: whatsappContent(m), ...messageContext(m) },
  };
}
