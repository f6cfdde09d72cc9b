import type { Chat, Customer, Identity } from "../../model";
import { telegramId } from "./ids";
import { isObj, str, type Obj } from "./json";

/** Chat types the unified model knows; Telegram's own names. */
const CHAT_KINDS = new Set<Chat["kind"]>(["private", "group", "supergroup", "channel"]);

/** A display name: a user's first and last name, a chat's title, else the username. */
export function nameOf(who: Obj): string | undefined {
  const full = [str(who.first_name), str(who.last_name)].filter(Boolean).join(" ");
  return full || str(who.title) || str(who.username);
}

/**
 * A Telegram User as the customer: `id` (also a `user_id` identity), first and last name, `username`
 * (also a `username` identity) and `language_code`. `is_premium` and the bot flags are not the
 * business's concern.
 * @see https://core.telegram.org/bots/api#user
 */
export function userCustomer(user: unknown): Customer | undefined {
  if (!isObj(user)) return undefined;
  const id = telegramId(user.id);
  if (!id) return undefined;
  const name = nameOf(user);
  const username = str(user.username);
  const language = str(user.language_code);
  const identities: Identity[] = [{ kind: "user_id", value: id }, ...(username ? [{ kind: "username" as const, value: username }] : [])];
  return { id, ...(name && { name }), ...(username && { username }), ...(language && { language }), identities };
}

/**
 * A Chat that speaks for itself (a channel's posts, an anonymous group admin, a reacting channel): its id
 * and title, and its public `username` as an identity. A chat id is no user id, so it is no identity.
 * @see https://core.telegram.org/bots/api#chat
 */
export function chatCustomer(chat: unknown): Customer | undefined {
  if (!isObj(chat)) return undefined;
  const id = telegramId(chat.id);
  if (!id) return undefined;
  const name = nameOf(chat);
  const username = str(chat.username);
  return {
    id,
    ...(name && { name }),
    ...(username && { username, identities: [{ kind: "username" as const, value: username }] }),
  };
}

/**
 * Who sent a message: the chat it was sent on behalf of (`sender_chat`: a channel's posts, an anonymous
 * group admin, a linked channel's automatic forward), whose `from` is then a placeholder user; else the user.
 * @see https://core.telegram.org/bots/api#message
 */
export const senderOf = (m: Obj): Customer | undefined => chatCustomer(m.sender_chat) ?? userCustomer(m.from);

/**
 * The kind and title of a chat (`private`, `group`, `supergroup`, `channel`); undefined for a kind the
 * model does not know.
 * @see https://core.telegram.org/bots/api#chat
 */
export function chatOf(chat: unknown): Chat | undefined {
  if (!isObj(chat) || typeof chat.type !== "string" || !CHAT_KINDS.has(chat.type as Chat["kind"])) return undefined;
  const title = str(chat.title);
  return { kind: chat.type as Chat["kind"], ...(title && { title }) };
}
