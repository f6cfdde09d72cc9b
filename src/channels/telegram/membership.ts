import { unixSecondsToIso } from "../http";
import type { ParsedEvent } from "../types";
import { telegramId } from "./ids";
import { isObj, str, type Obj } from "./json";
import { userCustomer } from "./people";

/** Why a private chat's customer is unsubscribed when they block the bot. */
export const BLOCKED_REASON = "blocked";
/** How a group or channel opened a conversation with the bot: someone added it. */
export const ADDED_TRIGGER = "added";

/** Statuses of a chat member that is in the chat. */
const INSIDE = new Set(["creator", "administrator", "member"]);

/** Whether a ChatMember is in the chat: a restricted member is, when `is_member`. */
function inside(member: unknown): boolean {
  if (!isObj(member)) return false;
  return INSIDE.has(String(member.status)) || (member.status === "restricted" && member.is_member === true);
}

/**
 * The bot's own membership changed (`my_chat_member`). In a private chat this update only comes when the
 * customer blocks the bot (`kicked`: `contact.unsubscribed`, reason `blocked`) or unblocks it (`member`
 * again: `contact.subscribed`). In a group, supergroup or channel, the bot being added opens a
 * conversation with that chat (`conversation.started`, trigger `added`, by whoever added it) and being
 * removed or banned closes it (`conversation.closed`). Any other change (a promotion, new rights) is
 * returned as undefined, for the caller to pass on as `unsupported`.
 * @see https://core.telegram.org/bots/api#update
 * @see https://core.telegram.org/bots/api#chatmemberupdated
 * @see https://core.telegram.org/bots/api#chatmember
 */
export function membershipEvent(u: Obj, dedupeKey: string, now: number): ParsedEvent | undefined {
  const chat = isObj(u.chat) ? u.chat : undefined;
  const peer = chat && telegramId(chat.id);
  if (!chat || !peer) throw new Error("my_chat_member without chat");
  const customer = userCustomer(u.from);
  const base = { peer, dedupeKey, timestamp: unixSecondsToIso(u.date, now), ...(customer && { customer }) };
  const status = isObj(u.new_chat_member) ? str(u.new_chat_member.status) : undefined;
  if (chat.type === "private") {
    if (status === "kicked") return { type: "contact.unsubscribed", ...base, reason: BLOCKED_REASON };
    if (status === "member") return { type: "contact.subscribed", ...base };
    return undefined;
  }
  const was = inside(u.old_chat_member);
  const is = inside(u.new_chat_member);
  if (!was && is) return { type: "conversation.started", ...base, trigger: ADDED_TRIGGER };
  if (was && !is) return { type: "conversation.closed", ...base };
  return undefined;
}
