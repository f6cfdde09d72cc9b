import { toHex } from "../../crypto";
import type { OutboundContent } from "../../model";
import { OBJECT_REPLACEMENT } from "./inbound-content";

/**
 * Apple sets no maximum on a text body, only on the payload; MSPs cap it at 10,000 characters
 * (Webex Connect), some lower. Longer texts are split by the core.
 * @see https://register.apple.com/resources/messages/msp-rest-api/messages-received ("no predetermined maximum")
 * @see https://faqs.imiconnect.io/en/articles/4032326-message-types
 */
export const APPLE_MAX_TEXT = 10_000;

/**
 * Quick replies: 2 to 5 options, one line of at most 24 characters each; one of them can be picked.
 * @see https://register.apple.com/resources/messages/msp-rest-api/type-interactive
 * @see https://www.infobip.com/docs/apple-messages-for-business/message-types
 */
export const APPLE_QUICK_REPLY = { minItems: 2, maxItems: 5, maxTitleLength: 24 } as const;

/**
 * List pickers: Apple documents no item limit; the relay keeps to 10 rows (beyond that a numbered text
 * reads better on a phone) and titles short enough for one row.
 */
export const APPLE_LIST_PICKER = { maxRows: 10, maxTitleLength: 64 } as const;

/** The text above quick replies (`summaryText`) or in a list picker's bubble: kept to a short paragraph. */
export const APPLE_INTERACTIVE_MAX_TEXT = 1024;

/** Apple's own iMessage extension, which renders list pickers, quick replies and time pickers. */
export const APPLE_BUSINESS_EXTENSION_BID =
  "com.apple.messages.MSMessageExtensionBalloonPlugin:0000000000:com.apple.icloud.apps.messages.business.extension";

/** Version of the interactive-data schema Apple's samples send. */
const INTERACTIVE_VERSION = "1.0";

/** The fields every message body repeats from the headers. */
export interface AppleEnvelope {
  /** The message id (a UUID), also sent as the `id` header. */
  id: string;
  /** The business id. */
  sourceId: string;
  /** The customer's opaque id. */
  destinationId: string;
}

/** An uploaded attachment, as the message refers to it. */
export interface UploadedAttachment {
  name: string;
  mimeType: string;
  /** The encrypted size in bytes (a string in Apple's samples). */
  size: string;
  "signature-base64": string;
  url: string;
  owner: string;
  key: string;
}

type Body = Record<string, unknown>;
type Choice = { id: string; title: string; description?: string };

const base = (env: AppleEnvelope, type: "text" | "interactive" | "typing_start" | "typing_end"): Body => ({
  id: env.id,
  type,
  sourceId: env.sourceId,
  destinationId: env.destinationId,
  v: 1,
});

/**
 * A text message.
 * @see https://register.apple.com/resources/messages/msp-rest-api/messages-sent
 */
export function renderText(env: AppleEnvelope, text: string): Body {
  return { ...base(env, "text"), body: text };
}

/**
 * A typing indicator the customer sees: `typing_start` while an agent writes, `typing_end` when they stop
 * (the message types Apple sends the business for the customer, sent the other way). UNCONFIRMED beyond
 * Apple's list of message types and MSPs offering business typing indicators.
 * @see https://register.apple.com/resources/messages/msp-rest-api/messages-received (Message Type Values)
 * @see https://developers.webexconnect.io/reference/apple-messages-for-business_-typing-indicator
 */
export function renderTyping(env: AppleEnvelope, typing: boolean): Body {
  return base(env, typing ? "typing_start" : "typing_end");
}

/**
 * A text carrying one attachment: the body holds U+FFFC where the attachment shows, after the caption.
 * @see https://register.apple.com/resources/messages/msp-rest-api/messages-sent (Attachment dictionary)
 */
export function renderAttachment(env: AppleEnvelope, attachment: UploadedAttachment, caption?: string): Body {
  return {
    ...base(env, "text"),
    body: caption ? `${caption}\n${OBJECT_REPLACEMENT}` : OBJECT_REPLACEMENT,
    attachments: [attachment],
  };
}

/**
 * Quick replies: the text as `summaryText`, each button an item whose `identifier` comes back when picked.
 * `requestIdentifier` comes back with the answer, which links the reply to this message.
 * @see https://register.apple.com/resources/messages/msp-rest-api/type-interactive
 */
export function renderQuickReply(env: AppleEnvelope, text: string, buttons: Choice[], requestIdentifier: string): Body {
  return {
    ...base(env, "interactive"),
    interactiveData: {
      bid: APPLE_BUSINESS_EXTENSION_BID,
      data: {
        "quick-reply": { summaryText: text, items: buttons.map((b) => ({ identifier: b.id, title: b.title })) },
        version: INTERACTIVE_VERSION,
        requestIdentifier,
      },
    },
  };
}

/**
 * A list picker: sections of rows (a row's description is its subtitle), shown as a bubble titled with
 * the text; the list button's label is the bubble's subtitle.
 * @see https://register.apple.com/resources/messages/msp-rest-api/type-interactive
 */
export function renderListPicker(
  env: AppleEnvelope,
  text: string,
  sections: { title?: string; rows: Choice[] }[],
  requestIdentifier: string,
  button?: string,
): Body {
  return {
    ...base(env, "interactive"),
    interactiveData: {
      bid: APPLE_BUSINESS_EXTENSION_BID,
      data: {
        listPicker: {
          sections: sections.map((s, i) => ({
            order: i,
            ...(s.title && { title: s.title }),
            multipleSelection: false,
            items: s.rows.map((r, j) => ({
              identifier: r.id,
              order: j,
              style: "default",
              title: r.title,
              ...(r.description && { subtitle: r.description }),
            })),
          })),
        },
        mspVersion: INTERACTIVE_VERSION,
        requestIdentifier,
      },
      receivedMessage: { style: "small", title: text, ...(button && { subtitle: button }) },
      replyMessage: { style: "small", title: text },
    },
  };
}

/**
 * Renders buttons or a list (already fitted to the capabilities): 2–5 buttons are quick replies; a single
 * button, or a list, is a list picker (quick replies need at least two options).
 */
export function renderInteractive(
  env: AppleEnvelope,
  content: Extract<OutboundContent, { type: "buttons" | "list" }>,
  requestIdentifier: string,
): Body {
  if (content.type === "list") return renderListPicker(env, content.text, content.sections, requestIdentifier, content.button);
  if (content.buttons.length >= APPLE_QUICK_REPLY.minItems) {
    return renderQuickReply(env, content.text, content.buttons, requestIdentifier);
  }
  return renderListPicker(env, content.text, [{ rows: content.buttons }], requestIdentifier);
}

/** The relay's namespace for message ids (UUIDv5), so that a retried part is sent under the same id. */
const MESSAGE_ID_NAMESPACE = "2f0d5c8a-9b1e-4e7a-8c3d-5a6b7c8d9e0f";

/**
 * The `id` of one part of a relay message on Apple: a name-based UUID (RFC 9562 v5) of the relay message id
 * and the part, so every retry of a part carries the same id and Apple can recognise it.
 * @see https://www.rfc-editor.org/rfc/rfc9562#name-uuid-version-5
 */
export async function messageUuid(messageId: string, part: number): Promise<string> {
  const ns = Uint8Array.from(MESSAGE_ID_NAMESPACE.replace(/-/g, "").match(/../g)!, (h) => parseInt(h, 16));
  const name = new TextEncoder().encode(`${messageId}:${part}`);
  const input = new Uint8Array(ns.length + name.length);
  input.set(ns);
  input.set(name, ns.length);
  const b = new Uint8Array(await crypto.subtle.digest("SHA-1", input)).slice(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = toHex(b);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
