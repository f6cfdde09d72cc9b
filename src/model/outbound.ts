import * as z from "zod";
import { Slug } from "./address";

/** A recipient as a client writes it: the channel normalizes it (e.g. "+49 151 2345" → "491512345"). */
const Recipient = z.string().trim().min(1).max(256);

/** The longest text the API accepts; a channel with a smaller limit gets it split at word boundaries. */
export const MAX_TEXT_LENGTH = 20_000;
/** What `/api/v7/chat` accepts, as before. */
const MAX_CHAT_V7_LENGTH = 4096;
const MAX_CAPTION_LENGTH = 1024;

/**
 * A character a platform renders as something: not whitespace, not a control character, not an invisible
 * format or filler character (a text of only "\ufeff", "\u200b" or " \n " renders as nothing, and
 * platforms refuse an empty message).
 */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/u;

/** A string that must show something: 1 to `max` characters, at least one of them visible. */
const visible = (max: number) => z.string().min(1).max(max).refine((s) => VISIBLE.test(s), "must contain a visible character, not only spaces or invisible characters");

/** A URL button's label: the longest a platform renders whole (Telegram); shorter limits degrade to text. */
const MAX_URL_BUTTON_TITLE_LENGTH = 64;
/** An emoji, however composed (flags, skin tones and ZWJ families run to a dozen UTF-16 units). */
const MAX_EMOJI_LENGTH = 32;
/**
 * Something that is an emoji: no spaces, and a pictograph, a regional-indicator flag or a keycap in it.
 * Which emoji a platform takes is its own list (Telegram bots have a short one): it refuses the others.
 */
const EMOJI = /^(?=.*[\p{Extended_Pictographic}\p{Regional_Indicator}\u20e3])\S+$/u;

/**
 * A message named by a client: the relay's id (`msg_…`) or the platform's own id (WhatsApp `wamid.…`,
 * Telegram `<chat>:<message>`, Messenger `m_…`); no spaces or control characters.
 */
export const MessageRef = z.string().min(1).max(256).regex(/^[^\s\p{Cc}]+$/u, "a message id: no spaces or control characters");

const HttpsUrl = z
  .url({ protocol: /^https?$/, hostname: z.regexes.domain })
  .max(2048)
  .describe("a public http(s) URL the platform can fetch");

export const TextContent = z.object({
  type: z.literal("text"),
  text: visible(MAX_TEXT_LENGTH),
  /** Ask the platform to render a link preview where it can. */
  previewUrl: z.boolean().optional(),
});

const mediaFields = {
  url: HttpsUrl,
  caption: visible(MAX_CAPTION_LENGTH).optional(),
};
export const ImageContent = z.object({ type: z.literal("image"), ...mediaFields });
export const VideoContent = z.object({ type: z.literal("video"), ...mediaFields });
/** Audio carries no caption on any platform. */
export const AudioContent = z.object({ type: z.literal("audio"), url: HttpsUrl });
export const DocumentContent = z.object({
  type: z.literal("document"),
  ...mediaFields,
  filename: visible(240).optional(),
});

export const LocationContent = z.object({
  type: z.literal("location"),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: z.string().max(1000).optional(),
  address: z.string().max(1000).optional(),
});

/** A parameter of a template: plain text, the common case. */
export const TemplateParameter = z.union([
  visible(1024),
  z.object({ type: z.literal("text"), text: visible(1024) }),
]);

/**
 * A pre-approved WhatsApp message template, the only content allowed outside the 24-hour window.
 * `parameters` fill the body's {{1}}, {{2}}...; `components` passes WhatsApp's own component list through
 * for headers and buttons.
 * @see https://developers.facebook.com/docs/whatsapp/api/messages/message-templates
 */
export const TemplateContent = z.object({
  type: z.literal("template"),
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, "lowercase letters, digits and underscores, as WhatsApp names templates"),
  language: z.string().regex(/^[a-z]{2,3}(_[A-Za-z0-9]{2,8})?$/, "a language code such as en or en_US"),
  namespace: z.string().min(1).max(128).optional(),
  parameters: z.array(TemplateParameter).max(100).optional(),
  components: z.array(z.record(z.string(), z.unknown())).max(20).optional(),
});

const Choice = z.object({
  /** Comes back as the reply's `id` when the customer picks it. */
  id: visible(256),
  title: visible(256),
});

/**
 * A text with quick-reply buttons. Where a platform has no buttons, it becomes a numbered list in the
 * text, and the customer answers with the number or the title.
 */
export const ButtonsContent = z.object({
  type: z.literal("buttons"),
  text: visible(4096),
  buttons: z.array(Choice).min(1).max(13),
});

/** A text with a menu of rows in sections (WhatsApp lists); elsewhere buttons or a numbered list. */
export const ListContent = z.object({
  type: z.literal("list"),
  text: visible(4096),
  /** The label of the button that opens the list. */
  button: visible(20),
  sections: z
    .array(
      z.object({
        title: z.string().max(24).optional(),
        rows: z.array(Choice.extend({ description: z.string().max(72).optional() })).min(1).max(10),
      }),
    )
    .min(1)
    .max(10),
});

/**
 * A text with one button that opens a web page (a call to action). Where a platform has no such button
 * it becomes the text followed by "title: url". The URL is checked like a media URL (https, public host),
 * but the relay never fetches it: only the customer's device opens it.
 */
export const UrlButtonContent = z.object({
  type: z.literal("url_button"),
  text: visible(4096),
  /** The button's label. */
  title: visible(MAX_URL_BUTTON_TITLE_LENGTH),
  url: HttpsUrl.describe("the page the button opens: a public http(s) URL"),
});

/**
 * An emoji reaction to a message of the conversation, usually the customer's. `messageId` is the
 * relay's message id (`msg_…`) or the platform's id of the message; `emoji` "" takes the business's
 * reaction back. Platforms without reactions refuse it up front.
 */
export const ReactionContent = z.object({
  type: z.literal("reaction"),
  messageId: MessageRef.describe("The message reacted to: the relay's id (msg_…) or the platform's id."),
  emoji: z
    .string()
    .max(MAX_EMOJI_LENGTH)
    .refine((s) => s === "" || EMOJI.test(s), "one emoji, or \"\" to take the reaction back")
    .describe('One emoji, or "" to remove the reaction.'),
});

export const OutboundContent = z.discriminatedUnion("type", [
  TextContent,
  ButtonsContent,
  ListContent,
  ImageContent,
  AudioContent,
  VideoContent,
  DocumentContent,
  LocationContent,
  TemplateContent,
  UrlButtonContent,
  ReactionContent,
]);
export type OutboundContent = z.infer<typeof OutboundContent>;

/**
 * Messenger message tags: each allows a message outside the standard 24-hour window for its own purpose
 * (`HUMAN_AGENT`: a person answering, within 7 days of the customer's last message).
 * @see https://developers.facebook.com/docs/messenger-platform/send-messages/message-tags/
 */
export const MessageTag = z.enum(["HUMAN_AGENT", "ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE", "CUSTOMER_FEEDBACK"]);
export type MessageTag = z.infer<typeof MessageTag>;

/** The body of `POST /v1/messages`. */
export const SendMessageRequest = z.object({
  to: Recipient.describe("The customer: a phone number in international format (digits, optional '+'), or a platform user id."),
  account: Slug.optional().describe("The channel account to send from; the tenant's default account when absent."),
  content: OutboundContent,
  reference: z.string().max(256).optional().describe("The client's own reference, echoed in status events."),
  replyTo: MessageRef.optional().describe(
    "Send as a quoted reply to this message: the relay's id (msg_…) or the platform's id. Where the platform has no quotes (Viber, Apple) the message goes without one.",
  ),
  tag: MessageTag.optional().describe("Messenger only: send under this message tag (outside the 24-hour window, for the tag's purpose)."),
});
export type SendMessageRequest = z.infer<typeof SendMessageRequest>;

/** The body of the seed-compatible `POST /api/v7/chat`. */
export const ChatV7Request = z.object({
  id: Recipient.describe("The recipient, e.g. 49123123456."),
  message: visible(MAX_CHAT_V7_LENGTH).describe("The text to send."),
});
export type ChatV7Request = z.infer<typeof ChatV7Request>;

/** What the relay queues: the request resolved to one conversation. */
export interface OutboundMessage {
  id: string;
  content: OutboundContent;
  reference?: string;
  acceptedAt: string;
  /**
   * The message this one quotes, as the adapter renders it: the platform's id of that message (a client
   * may name it by the relay's id, which delivery resolves to the platform's before sending).
   */
  replyTo?: string;
  /** The Messenger message tag to send under. */
  tag?: MessageTag;
}

/** What a business can show a customer outside of messages: typing, or that their messages were read. */
export const ConversationActionType = z.enum(["typing_on", "typing_off", "mark_read"]);
export type ConversationActionType = z.infer<typeof ConversationActionType>;

/** The body of `POST /v1/conversations/{id}/actions`. */
export const ConversationActionRequest = z.object({
  type: ConversationActionType.describe(
    "typing_on / typing_off: show or hide a typing indicator; mark_read: show the customer's messages as read.",
  ),
  messageId: MessageRef.optional().describe(
    "The customer's message the action concerns: the relay's id (msg_…) or the platform's id. WhatsApp needs it for mark_read and typing_on (it marks that message and those before it read).",
  ),
});
export type ConversationActionRequest = z.infer<typeof ConversationActionRequest>;

/** The answer to an action the platform accepted. */
export const ConversationActionAccepted = z.object({
  type: ConversationActionType,
  status: z.literal("sent"),
});
export type ConversationActionAccepted = z.infer<typeof ConversationActionAccepted>;
