import type { OutboundContent } from "../../model";
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

/** The content types rendered natively; lists become quick replies or a numbered text, locations a map link. */
export const MESSENGER_CONTENT_TYPES = ["text", "buttons", "image", "audio", "video", "document"] as const;

type Native = Extract<OutboundContent, { type: (typeof MESSENGER_CONTENT_TYPES)[number] }>;

/** Send API attachment types by unified media type. */
const ATTACHMENT_TYPE = { image: "image", audio: "audio", video: "video", document: "file" } as const;

/** Whether the core may hand this content to `renderMessengerMessage`. */
export function isNative(content: OutboundContent): content is Native {
  return (MESSENGER_CONTENT_TYPES as readonly string[]).includes(content.type);
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
  }
}

/**
 * Renders one part of a relay message as a Send API request body to a PSID, with the account's
 * `messaging_type` (and tag). Returns null for content Messenger cannot render, which the core's
 * degrading never hands over.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/send-api
 * @see https://developers.facebook.com/docs/messenger-platform/send-messages/message-tags/
 */
export function renderMessengerMessage(
  psid: string,
  content: OutboundContent,
  account: Pick<MessengerAccount, "messagingType" | "tag">,
): Record<string, unknown> | null {
  if (!isNative(content)) return null;
  const messagingType = account.tag ? "MESSAGE_TAG" : (account.messagingType ?? "RESPONSE");
  return {
    recipient: { id: psid },
    messaging_type: messagingType,
    ...(account.tag && { tag: account.tag }),
    message: messageOf(content),
  };
}
