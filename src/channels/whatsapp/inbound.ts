/**
 * What both WhatsApp dialects share when receiving: a webhook `value` (contacts, messages, statuses,
 * errors, user preferences) as the container and the Cloud API both post it, parsed into unified events.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/webhooks/components
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
 */
import { fingerprint, unixSecondsToIso } from "../http";
import type { ParsedEvent, ParseResult } from "../types";
import { customerOf, indexContacts, senderIds } from "./customer";
import { firstError } from "./errors";
import { isObj, list, type Obj, str } from "./json";
import { userPreferenceEvent } from "./lifecycle";
import { parseMessage } from "./message";
import { parseStatus } from "./status";

/** How a dialect adjusts the shared parsing. */
export interface WhatsAppValueOptions {
  /**
   * The peer of a status when the dialect knows better than `recipient_id` (the Cloud API echoes what
   * the relay put in `biz_opaque_callback_data`, i.e. the exact peer a message was sent to).
   */
  statusPeer?: (status: Obj) => string | undefined;
}

/** How many customers a value's messages come from (a lone contact describes a lone sender). */
function senderCount(messages: unknown): number {
  const senders = new Set(list(messages).filter(isObj).map((m) => JSON.stringify(senderIds(m))));
  return senders.size;
}

/** A top-level error of the value: not about one message (the account, the webhook itself). */
function channelError(value: Obj, e: Obj): ParsedEvent {
  const error = firstError({ errors: [e] })!;
  return {
    type: "channel.error",
    dedupeKey: `error:${fingerprint(JSON.stringify(value))}:${fingerprint(JSON.stringify(e))}`,
    error: {
      ...(error.code !== undefined && { code: String(error.code) }),
      title: error.title ?? "WhatsApp error",
      ...(error.details && { detail: error.details }),
    },
  };
}

/**
 * Parses the WhatsApp `contacts` / `messages` / `statuses` / `errors` / `user_preferences` arrays (the
 * On-Premises envelope, and the `value` object of a Cloud API change). Each item is parsed on its own so
 * one bad item never drops the rest.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/webhooks/components
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/user_preferences/
 */
export function parseWhatsAppValue(value: Obj, options: WhatsAppValueOptions = {}): ParseResult {
  const events: ParsedEvent[] = [];
  const problems: string[] = [];
  const contacts = indexContacts(value.contacts, senderCount(value.messages));
  const each = (items: unknown, kind: string, parse: (o: Obj) => ParsedEvent) =>
    list(items).forEach((item, i) => {
      try {
        if (!isObj(item)) throw new Error("not an object");
        events.push(parse(item));
      } catch (e) {
        problems.push(`${kind}[${i}]: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  each(value.messages, "messages", (m) => parseMessage(m, contacts));
  const statusPeer = options.statusPeer ?? (() => undefined);
  each(value.statuses, "statuses", (s) => parseStatus(s, contacts, statusPeer));
  each(value.errors, "errors", (e) => channelError(value, e));
  each(value.user_preferences, "user_preferences", (p) => {
    const customer = customerOf({ phone: str(p.wa_id), bsuid: str(p.user_id), parent: str(p.parent_user_id) }, contacts);
    if (!customer) throw new Error("preference without a customer");
    return userPreferenceEvent(p, customer, unixSecondsToIso(p.timestamp));
  });
  return { events, problems };
}
