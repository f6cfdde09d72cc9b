import type { Referral } from "../../model";
import { unixSecondsToIso } from "../http";
import type { ParsedEvent } from "../types";
import { telegramContent } from "./content";
import { telegramId, telegramMessageId } from "./ids";
import { isObj, list, str, type Obj } from "./json";
import { chatCustomer, chatOf, senderOf, userCustomer } from "./people";

type Received = Extract<ParsedEvent, { type: "message.received" }>;
type Edited = Extract<ParsedEvent, { type: "message.edited" }>;
type Started = Extract<ParsedEvent, { type: "conversation.started" }>;

/** The peer of an event that names no chat and no user (e.g. a `poll` update), as channel errors use. */
const NO_PEER = "-";

/**
 * `/start`, alone or addressed to the bot (`/start@name`), and its payload: what a `t.me/<bot>?start=<payload>`
 * link makes the client send when the customer taps Start.
 * @see https://core.telegram.org/bots/features#deep-linking
 */
const START = /^\/start(?:@[A-Za-z0-9_]{1,64})?(?:\s+([\s\S]*))?$/;

/** A message was forwarded: `forward_origin` (Bot API 7.0+), or `forward_date` before it. */
const isForwarded = (m: Obj) => isObj(m.forward_origin) || m.forward_date !== undefined;

/**
 * The unified message of a Message (or channel post): who sent it in which chat, its content, what it
 * answers, whether it was forwarded. Throws when it has no chat or id: nothing could address it.
 * @see https://core.telegram.org/bots/api#message
 */
function customerMessage(m: Obj, timestamp: unknown, now: number) {
  const chat = isObj(m.chat) ? telegramId(m.chat.id) : undefined;
  const id = telegramId(m.message_id);
  if (!chat || !id) throw new Error("message without chat or message_id");
  const replyTo = isObj(m.reply_to_message) ? telegramId(m.reply_to_message.message_id) : undefined;
  const chatKind = chatOf(m.chat);
  // Only channel posts may lack a sender; the channel itself speaks then.
  const sender = senderOf(m) ?? chatCustomer(m.chat)!;
  return {
    chat,
    message: {
      platformMessageId: telegramMessageId(chat, id),
      timestamp: unixSecondsToIso(timestamp, now),
      sender,
      content: telegramContent(m),
      ...(replyTo && { inReplyTo: telegramMessageId(chat, replyTo) }),
      ...(chatKind && { chat: chatKind }),
      ...(isForwarded(m) && { forwarded: true }),
    },
  };
}

/**
 * A new Message or channel post. A `/start` in a private chat also opens the conversation: a
 * `conversation.started` (its payload as the referral's `ref`) comes first, under its own key; the
 * message itself carries the referral too.
 * @see https://core.telegram.org/bots/api#message
 * @see https://core.telegram.org/bots/features#deep-linking
 */
export function messageEvents(m: Obj, dedupeKey: string, now: number): ParsedEvent[] {
  const { chat, message } = customerMessage(m, m.date, now);
  const start = message.chat?.kind === "private" && typeof m.text === "string" ? START.exec(m.text.trim()) : null;
  const payload = start?.[1]?.trim();
  const referral: Referral | undefined = payload ? { ref: payload } : undefined;
  const received: Received = { type: "message.received", peer: chat, dedupeKey, message: { ...message, ...(referral && { referral }) } };
  if (!start) return [received];
  const started: Started = {
    type: "conversation.started",
    peer: chat,
    dedupeKey: `${dedupeKey}:start`,
    timestamp: message.timestamp,
    customer: message.sender,
    trigger: "start",
    ...(referral && { referral }),
  };
  return [started, received];
}

/**
 * An edited message or channel post: the new content under the edited message's id, dated by the edit.
 * @see https://core.telegram.org/bots/api#update
 */
export function editedEvent(m: Obj, dedupeKey: string, now: number): Edited {
  const { chat, message } = customerMessage(m, m.edit_date ?? m.date, now);
  return { type: "message.edited", peer: chat, dedupeKey, message };
}

/** The label of the inline button whose `callback_data` was tapped, from the message that carried it. */
function buttonTitle(message: unknown, data: string): string | undefined {
  if (!isObj(message) || !isObj(message.reply_markup)) return undefined;
  const buttons = list(message.reply_markup.inline_keyboard).flatMap(list).filter(isObj);
  return str(buttons.find((b) => b.callback_data === data)?.text);
}

/**
 * A tap on an inline keyboard button: a `reply` from a button, with its `callback_data` as the id and the
 * button's label as the title (the data when the message is no longer accessible).
 * @see https://core.telegram.org/bots/api#callbackquery
 */
export function callbackEvent(q: Obj, dedupeKey: string, now: number): Received {
  const sender = userCustomer(q.from);
  const queryId = str(q.id);
  if (!sender || !queryId) throw new Error("callback_query without id or from");
  const message = isObj(q.message) ? q.message : undefined;
  const chat = (message && isObj(message.chat) && telegramId(message.chat.id)) || sender.id;
  const answered = message && telegramId(message.message_id);
  const chatKind = message && chatOf(message.chat);
  const data = str(q.data);
  return {
    type: "message.received",
    peer: chat,
    dedupeKey,
    message: {
      platformMessageId: `callback:${queryId}`,
      // A callback query has no date of its own (the message's is when the keyboard was sent).
      timestamp: new Date(now).toISOString(),
      sender,
      content: data
        ? { type: "reply", id: data, title: buttonTitle(message, data) ?? data, source: "button" }
        : { type: "unsupported", platformType: "callback_query", raw: q },
      ...(answered && { inReplyTo: telegramMessageId(chat, answered) }),
      ...(chatKind && { chat: chatKind }),
    },
  };
}

/**
 * Any other update (inline queries, polls, membership changes the relay does not model...): an
 * `unsupported` message that still reaches the business, addressed to the chat or user it names.
 */
export function unsupportedEvent(kind: string, value: unknown, updateId: string, dedupeKey: string, now: number): Received {
  const v = isObj(value) ? value : {};
  const chat = isObj(v.chat) ? telegramId(v.chat.id) : undefined;
  const who = userCustomer(v.from) ?? userCustomer(v.user) ?? chatCustomer(v.actor_chat) ?? chatCustomer(v.sender_chat);
  const messageId = telegramId(v.message_id);
  const peer = chat ?? who?.id ?? NO_PEER;
  return {
    type: "message.received",
    peer,
    dedupeKey,
    message: {
      platformMessageId: chat && messageId ? telegramMessageId(chat, messageId) : `update:${updateId}`,
      timestamp: unixSecondsToIso(v.edit_date ?? v.date, now),
      sender: who ?? { id: peer },
      content: { type: "unsupported", platformType: kind, raw: value },
    },
  };
}
