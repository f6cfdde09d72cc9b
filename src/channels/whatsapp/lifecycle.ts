/**
 * What a WhatsApp customer does besides writing: stopping or resuming marketing messages. The Cloud API
 * reports it in the `user_preferences` webhook field, the container as a `system` message of type
 * `user_preference_changed`.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/user_preferences/
 */
import type { Customer } from "../../model";
import type { ParsedEvent } from "../types";
import { type Obj, str } from "./json";

/** WhatsApp's preference categories, by the topic the relay names them (`marketing_messages` today). */
const TOPICS: Record<string, string> = { marketing_messages: "marketing" };
/** The topic of the container's `user_preference_changed`, which only concerns marketing messages. */
export const MARKETING_TOPIC = "marketing";

/** A preference category as the relay's topic: the known ones by name, any other as WhatsApp names it. */
export function topicOf(category: string | undefined): string {
  return (category && TOPICS[category]) || category || MARKETING_TOPIC;
}

/** A customer's choice: `stop` unsubscribes from the topic, `resume` subscribes again. */
export function preferenceEvent(
  choice: unknown,
  what: { topic: string; detail?: string; timestamp: string; customer: Customer; dedupeKey: string },
): ParsedEvent {
  const { topic, detail, timestamp, customer, dedupeKey } = what;
  const base = { peer: customer.id, dedupeKey, timestamp, customer, topic };
  if (choice === "stop") return { type: "contact.unsubscribed", ...base, ...(detail && { reason: detail }) };
  if (choice === "resume") return { type: "contact.subscribed", ...base };
  throw new Error(`preference '${String(choice)}' is neither stop nor resume`);
}

/**
 * One item of a Cloud API `user_preferences` array: `wa_id`, `detail`, `category`, `value` (`stop` or
 * `resume`), `timestamp`. It has no id of its own: the customer, the choice and its time name it.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/user_preferences/
 */
export function userPreferenceEvent(p: Obj, customer: Customer, timestamp: string): ParsedEvent {
  const category = str(p.category);
  const dedupeKey = `preference:${customer.id}:${category ?? "-"}:${String(p.value)}:${String(p.timestamp)}`;
  return preferenceEvent(p.value, { topic: topicOf(category), detail: str(p.detail), timestamp, customer, dedupeKey });
}
