import type { ParsedEvent, ParseResult } from "../types";
import { telegramId } from "./ids";
import { isObj, type Obj } from "./json";
import { membershipEvent } from "./membership";
import { callbackEvent, editedEvent, messageEvents, unsupportedEvent } from "./messages";
import { reactionEvents } from "./reactions";

/**
 * The events of one Update. Its `update_id` is the dedupe key (Telegram redelivers an update until it is
 * acknowledged, and numbers updates uniquely per bot); an update that gives several events keys the others
 * after it. Telegram sends bots no delivery or read receipts, so no update is a status.
 * @see https://core.telegram.org/bots/api#update
 */
export function parseUpdate(u: Obj, now: number): ParsedEvent[] {
  const updateId = telegramId(u.update_id);
  if (!updateId) throw new Error("update without update_id");
  const dedupeKey = `update:${updateId}`;
  if (isObj(u.message)) return messageEvents(u.message, dedupeKey, now);
  if (isObj(u.channel_post)) return messageEvents(u.channel_post, dedupeKey, now);
  if (isObj(u.edited_message)) return [editedEvent(u.edited_message, dedupeKey, now)];
  if (isObj(u.edited_channel_post)) return [editedEvent(u.edited_channel_post, dedupeKey, now)];
  if (isObj(u.callback_query)) return [callbackEvent(u.callback_query, dedupeKey, now)];
  if (isObj(u.message_reaction)) return reactionEvents(u.message_reaction, updateId, dedupeKey, now);
  if (isObj(u.my_chat_member)) {
    const membership = membershipEvent(u.my_chat_member, dedupeKey, now);
    if (membership) return [membership];
  }
  const kind = Object.keys(u).find((k) => k !== "update_id");
  if (!kind) throw new Error("update carries nothing");
  return [unsupportedEvent(kind, u[kind], updateId, dedupeKey, now)];
}

/**
 * Parses one webhook body. Telegram POSTs one Update per request; a JSON array of Updates, or a
 * `getUpdates` answer (`{"ok":true,"result":[...]}`), is accepted too so that updates fetched by polling
 * can be replayed through the webhook. Each update is parsed on its own: one bad update never drops the rest.
 * @see https://core.telegram.org/bots/api#getting-updates
 */
export function parseTelegramWebhook(body: Uint8Array, now = Date.now()): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return { events: [], problems: ["body is not JSON"] };
  }
  const updates = Array.isArray(value)
    ? value
    : isObj(value) && value.ok === true && Array.isArray(value.result)
      ? value.result
      : isObj(value)
        ? [value]
        : undefined;
  if (!updates) return { events: [], problems: ["body is not an update"] };
  const events: ParsedEvent[] = [];
  const problems: string[] = [];
  updates.forEach((u, i) => {
    try {
      if (!isObj(u)) throw new Error("not an object");
      events.push(...parseUpdate(u, now));
    } catch (e) {
      const id = isObj(u) ? telegramId(u.update_id) : undefined;
      problems.push(`update[${i}]${id ? ` (${id})` : ""}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  return { events, problems };
}
