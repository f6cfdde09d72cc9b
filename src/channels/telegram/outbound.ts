import type { OutboundContent } from "../../model";
import type { ConversationAction } from "../types";
import { parseTelegramMessageRef } from "./ids";

/** Longest text of one message. @see https://core.telegram.org/bots/api#sendmessage */
export const TELEGRAM_MAX_TEXT = 4096;
/** Longest media caption. @see https://core.telegram.org/bots/api#sendphoto */
export const TELEGRAM_MAX_CAPTION = 1024;
/**
 * `callback_data` of an inline button: 1–64 BYTES (UTF-8), which is where a button's id travels.
 * @see https://core.telegram.org/bots/api#inlinekeyboardbutton
 */
export const TELEGRAM_MAX_CALLBACK_DATA_BYTES = 64;
/**
 * Buttons of one inline keyboard. Not in the Bot API docs: 100 is the server limit libraries cite
 * (UNCONFIRMED); the relay's own model allows 13 anyway.
 */
export const TELEGRAM_MAX_INLINE_BUTTONS = 100;
/**
 * Label of an inline button. The Bot API documents no limit; clients cut long labels with an ellipsis, so
 * past this length the relay sends a numbered list instead (a judgement, UNCONFIRMED as a platform limit).
 */
export const TELEGRAM_MAX_BUTTON_LABEL = 64;

/** One Bot API call: the method and its JSON parameters. */
export interface TelegramRequest {
  method: string;
  params: Record<string, unknown>;
}

/** Bytes of a string in UTF-8, as Telegram counts `callback_data`. */
export const utf8Length = (s: string) => new TextEncoder().encode(s).length;

/**
 * What makes a message a quoted reply: `reply_parameters` naming the message, with
 * `allow_sending_without_reply` so that a deleted original never fails the send (the quote is dropped
 * instead). A reference that is no Telegram message id is dropped too: a quote is decoration.
 * @see https://core.telegram.org/bots/api#replyparameters
 */
function replyParameters(chatId: string, replyTo: string | undefined): Record<string, unknown> {
  const ref = replyTo ? parseTelegramMessageRef(replyTo) : null;
  if (!ref) return {};
  const otherChat = ref.chatId !== undefined && ref.chatId !== chatId;
  return {
    reply_parameters: { message_id: ref.messageId, ...(otherChat && { chat_id: ref.chatId }), allow_sending_without_reply: true },
  };
}

/**
 * A reaction: `setMessageReaction` with one emoji, or none to take the bot's reaction back (bots set at
 * most one, from Telegram's fixed list of reaction emoji; another is refused with `REACTION_INVALID`).
 * Null when `messageId` is not a Telegram message id.
 * @see https://core.telegram.org/bots/api#setmessagereaction
 * @see https://core.telegram.org/bots/api#reactiontypeemoji
 */
function renderReaction(chatId: string, content: Extract<OutboundContent, { type: "reaction" }>): TelegramRequest | null {
  const ref = parseTelegramMessageRef(content.messageId);
  if (!ref) return null;
  return {
    method: "setMessageReaction",
    params: {
      chat_id: ref.chatId ?? chatId,
      message_id: ref.messageId,
      reaction: content.emoji ? [{ type: "emoji", emoji: content.emoji }] : [],
    },
  };
}

/**
 * Renders one part of a relay message as one Bot API call, or null for content Telegram has no method for
 * (lists and templates never get here: the core turns them into buttons, text, or a refusal) and for a
 * reaction to something that is not a Telegram message id. `replyTo` (a Telegram message id) quotes that
 * message. `chat_id` is sent as a string: Telegram takes integers or strings, and a string keeps 52-bit ids
 * exact. Texts go without `parse_mode`, so that nothing in them is taken for markup.
 * @see https://core.telegram.org/bots/api#available-methods
 */
export function renderTelegramMessage(chatId: string, content: OutboundContent, replyTo?: string): TelegramRequest | null {
  const chat_id = chatId;
  const reply = replyParameters(chatId, replyTo);
  switch (content.type) {
    case "text":
      return {
        method: "sendMessage",
        params: { chat_id, text: content.text, link_preview_options: { is_disabled: content.previewUrl !== true }, ...reply },
      };
    case "buttons":
      return {
        method: "sendMessage",
        params: {
          chat_id,
          text: content.text,
          // One button per row: labels can be long, and a column reads like a menu.
          reply_markup: { inline_keyboard: content.buttons.map((b) => [{ text: b.title, callback_data: b.id }]) },
          ...reply,
        },
      };
    case "url_button":
      // An inline button with a `url` opens the page; it sends the bot nothing.
      // @see https://core.telegram.org/bots/api#inlinekeyboardbutton
      return {
        method: "sendMessage",
        params: { chat_id, text: content.text, reply_markup: { inline_keyboard: [[{ text: content.title, url: content.url }]] }, ...reply },
      };
    case "image":
      return { method: "sendPhoto", params: { chat_id, photo: content.url, ...(content.caption && { caption: content.caption }), ...reply } };
    case "video":
      return { method: "sendVideo", params: { chat_id, video: content.url, ...(content.caption && { caption: content.caption }), ...reply } };
    case "audio":
      return { method: "sendAudio", params: { chat_id, audio: content.url, ...reply } };
    case "document":
      // A document sent by URL is named by Telegram after the URL; `filename` cannot be applied.
      return {
        method: "sendDocument",
        params: { chat_id, document: content.url, ...(content.caption && { caption: content.caption }), ...reply },
      };
    case "location":
      // A venue needs both a title and an address; with less, the pin goes alone.
      if (content.name && content.address) {
        return {
          method: "sendVenue",
          params: {
            chat_id,
            latitude: content.latitude,
            longitude: content.longitude,
            title: content.name,
            address: content.address,
            ...reply,
          },
        };
      }
      return { method: "sendLocation", params: { chat_id, latitude: content.latitude, longitude: content.longitude, ...reply } };
    case "reaction":
      return renderReaction(chatId, content);
    case "list":
    case "template":
      return null;
  }
}

/**
 * A conversation action as a Bot API call: `typing_on` is `sendChatAction` with `typing`, shown for 5
 * seconds or until the bot's next message. Bots have no way to hide it early and no read receipts.
 * @see https://core.telegram.org/bots/api#sendchataction
 */
export function renderTelegramAction(chatId: string, action: ConversationAction): TelegramRequest | null {
  return action.type === "typing_on" ? { method: "sendChatAction", params: { chat_id: chatId, action: "typing" } } : null;
}
