import type { OutboundContent } from "../../model";

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
 * Renders one part of a relay message as one Bot API call, or null for content Telegram has no method for
 * (lists and templates never get here: the core turns them into buttons, text, or a refusal).
 * `chat_id` is sent as a string: Telegram takes integers or strings, and a string keeps 52-bit ids exact.
 * Texts go without `parse_mode`, so that nothing in them is taken for markup.
 * @see https://core.telegram.org/bots/api#available-methods
 */
export function renderTelegramMessage(chatId: string, content: OutboundContent): TelegramRequest | null {
  const chat_id = chatId;
  switch (content.type) {
    case "text":
      return {
        method: "sendMessage",
        params: { chat_id, text: content.text, link_preview_options: { is_disabled: content.previewUrl !== true } },
      };
    case "buttons":
      return {
        method: "sendMessage",
        params: {
          chat_id,
          text: content.text,
          // One button per row: labels can be long, and a column reads like a menu.
          reply_markup: { inline_keyboard: content.buttons.map((b) => [{ text: b.title, callback_data: b.id }]) },
        },
      };
    case "image":
      return { method: "sendPhoto", params: { chat_id, photo: content.url, ...(content.caption && { caption: content.caption }) } };
    case "video":
      return { method: "sendVideo", params: { chat_id, video: content.url, ...(content.caption && { caption: content.caption }) } };
    case "audio":
      return { method: "sendAudio", params: { chat_id, audio: content.url } };
    case "document":
      // A document sent by URL is named by Telegram after the URL; `filename` cannot be applied.
      return {
        method: "sendDocument",
        params: { chat_id, document: content.url, ...(content.caption && { caption: content.caption }) },
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
          },
        };
      }
      return { method: "sendLocation", params: { chat_id, latitude: content.latitude, longitude: content.longitude } };
    case "list":
    case "template":
      return null;
  }
}
