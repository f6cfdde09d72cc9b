import { unixSecondsToIso } from "../http";
import type { ParsedEvent } from "../types";
import { telegramId, telegramMessageId } from "./ids";
import { isObj, list, str, type Obj } from "./json";
import { chatCustomer, chatOf, userCustomer } from "./people";

type Received = Extract<ParsedEvent, { type: "message.received" }>;

/** The emoji of a list of ReactionTypes; custom emoji and paid reactions name no emoji. */
const emojiOf = (reactions: unknown): string[] =>
  list(reactions)
    .filter(isObj)
    .filter((r) => r.type === "emoji")
    .map((r) => str(r.emoji))
    .filter((e): e is string => !!e);

/**
 * A change of a user's reactions to a message: each emoji taken back (in `old_reaction`, not in
 * `new_reaction`) is a reaction with `removed`, then each emoji added is a reaction; one update may do both
 * (a reaction replaced). Each event has its own key and id; the first keeps the update's. A change of
 * custom or paid reactions only still reaches the business, as `unsupported`.
 * @see https://core.telegram.org/bots/api#messagereactionupdated
 */
export function reactionEvents(r: Obj, updateId: string, dedupeKey: string, now: number): Received[] {
  const chat = isObj(r.chat) ? telegramId(r.chat.id) : undefined;
  const reacted = telegramId(r.message_id);
  if (!chat || !reacted) throw new Error("message_reaction without chat or message_id");
  const target = telegramMessageId(chat, reacted);
  const before = emojiOf(r.old_reaction);
  const after = emojiOf(r.new_reaction);
  const changes = [
    ...before.filter((e) => !after.includes(e)).map((emoji) => ({ type: "reaction" as const, emoji, platformMessageId: target, removed: true })),
    ...after.filter((e) => !before.includes(e)).map((emoji) => ({ type: "reaction" as const, emoji, platformMessageId: target })),
  ];
  const sender = userCustomer(r.user) ?? chatCustomer(r.actor_chat) ?? { id: chat };
  const chatKind = chatOf(r.chat);
  const contents = changes.length > 0 ? changes : [{ type: "unsupported" as const, platformType: "message_reaction", raw: r }];
  return contents.map((content, i) => ({
    type: "message.received",
    peer: chat,
    dedupeKey: i === 0 ? dedupeKey : `${dedupeKey}:${i}`,
    message: {
      platformMessageId: i === 0 ? `reaction:${updateId}` : `reaction:${updateId}:${i}`,
      timestamp: unixSecondsToIso(r.date, now),
      sender,
      content,
      inReplyTo: target,
      ...(chatKind && { chat: chatKind }),
    },
  }));
}
