import type { ConversationActionType, MessageTag, OutboundContent } from "../../model";
import type { ConversationAction } from "../types";
import type { MessengerAccount } from "./account";

/**
 * Longest `message.text` the Send API takes.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/send-api#message
 */
export const MESSENGER_MAX_TEXT = 2000;
/**
 * Quick replies: at most 13 per message, titles of at most 20 characters.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/buttons/quick-replies
 */
export const MESSENGER_MAX_QUICK_REPLIES = 13;
export const MESSENGER_MAX_QUICK_REPLY_TITLE = 20;
/**
 * Messenger attachments carry no caption: with a limit of 0, the core sends any caption as a text
 * after the media.
 */
export const MESSENGER_MAX_CAPTION = 0;

/**
 * A button template: 1–3 buttons under a text of at most 640 characters; a button's title has at most 20.
 * @see https://developers.facebook.com/docs/messenger-platform/send-messages/template/button
 * @see https://developers.facebook.com/docs/messenger-platform/send-messages/buttons
 */
export const MESSENGER_URL_BUTTON = { maxTitleLength: 20, maxTextLength: 640 } as const;

/** The content types rendered natively; lists become quick replies or a numbered text, locations a map link. */
export const MESSENGER_CONTENT_TYPES = ["text", "buttons", "image", "audio", "video", "document", "url_button", "reaction"] as const;

/**
 * Sender actions by conversation action: a typing indicator on and off, and `mark_seen` (the customer's
 * messages show as seen).
 * @see https://developers.facebook.com/docs/messenger-platform/send-messages/sender-actions
 */
const SENDER_ACTIONS: Record<ConversationActionType, string> = { typing_on: "typing_on", typing_off: "typing_off", mark_read: "mark_seen" };

type Native = Extract<OutboundContent, { type: Exclude<(typeof MESSENGER_CONTENT_TYPES)[number], "reaction"> }>;
type Reaction = Extract<OutboundContent, { type: "reaction" }>;

/** Send API attachment types by unified media type. */
const ATTACHMENT_TYPE = { image: "image", audio: "audio", video: "video", document: "file" } as const;

/** Whether this content is a message (not a sender action) the core may hand to `renderMessengerMessage`. */
export function isNative(content: OutboundContent): content is Native {
  return content.type !== "reaction" && (MESSENGER_CONTENT_TYPES as readonly string[]).includes(content.type);
}

/**
 * The `message` object of a Send API request. Media go by URL (Meta fetches them); `is_reusable` lets
 * Meta keep the upload for later sends of the same file. Captions never reach here (see
 * `MESSENGER_MAX_CAPTION`).
 * @see https://developers.facebook.com/docs/messenger-platform/reference/send-api#message
 * @see https://developers.facebook.com/docs/messenger-platform/send-messages#sending_attachments
 */
function messageOf(content: Native): Record<string, unknown> {
  switch (content.type) {
    case "text":
      return { text: content.text };
    case "buttons":
      return {
        text: content.text,
        quick_replies: content.buttons.map((b) => ({ content_type: "text", title: b.title, payload: b.id })),
      };
    case "image":
    case "audio":
    case "video":
    case "document":
      return { attachment: { type: ATTACHMENT_TYPE[content.type], payload: { url: content.url, is_reusable: true } } };
    case "url_button":
      // A button template with one URL button, which opens the page in Messenger's browser.
      return {
        attachment: {
          type: "template",
          payload: { template_type: "button", text: content.text, buttons: [{ type: "web_url", url: content.url, title: content.title }] },
        },
      };
  }
}

/**
 * A reaction is a sender action on the customer's message: `react` with the emoji, or `unreact` (the
 * message id alone) to take it back.
 * @see https://developers.facebook.com/docs/messenger-platform/send-messages/sender-actions
 */
function reactionOf(psid: string, content: Reaction): Record<string, unknown> {
  return content.emoji
    ? { recipient: { id: psid }, sender_action: "react", payload: { message_id: content.messageId, reaction: content.emoji } }
    : { recipient: { id: psid }, sender_action: "unreact", payload: { message_id: content.messageId } };
}

/** What a send request adds to its content: a quoted message, a message tag. */
export interface MessengerSendOptions {
  /** The `mid` of the message to quote. */
  replyTo?: string;
  /** The request's message tag, which wins over the account's. */
  tag?: MessageTag;
}

/**
 * Renders one part of a relay message as a Send API request body to a PSID, with the request's message
 * tag, else the account's `messaging_type` (and tag), and `reply_to` quoting a message when asked. A
 * reaction is a sender action instead. Returns null for content Messenger cannot render, which the core's
 * degrading never hands over.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/send-api
 * @see https://developers.facebook.com/docs/messenger-platform/send-messages/message-tags/
 * @see https://developers.facebook.com/docs/graph-api/reference/page/messages/ (`reply_to`)
 */
export function renderMessengerMessage(
  psid: string,
  content: OutboundContent,
  account: Pick<MessengerAccount, "messagingType" | "tag">,
  options: MessengerSendOptions = {},
): Record<string, unknown> | null {
  if (content.type === "reaction") return reactionOf(psid, content);
  if (!isNative(content)) return null;
  const tag = options.tag ?? account.tag;
  const messagingType = tag ? "MESSAGE_TAG" : (account.messagingType ?? "RESPONSE");
  return {
    recipient: { id: psid },
    messaging_type: messagingType,
    ...(tag && { tag }),
    ...(options.replyTo && { reply_to: { mid: options.replyTo } }),
    message: messageOf(content),
  };
}

/**
 * A conversation action as a Send API body: a sender action (`typing_on`, `typing_off`, `mark_seen`).
 * @see https://developers.facebook.com/docs/messenger-platform/send-messages/sender-actions
 */
export function renderMessengerAction(psid: string, action: ConversationAction): Record<string, unknown> {
  return { recipient: { id: psid }, sender_action: SENDER_ACTIONS[action.type] };
}
