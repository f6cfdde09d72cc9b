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
]);
export type OutboundContent = z.infer<typeof OutboundContent>;

/** The body of `POST /v1/messages`. */
export const SendMessageRequest = z.object({
  to: Recipient.describe("The customer: a phone number in international format (digits, optional '+'), or a platform user id."),
  account: Slug.optional().describe("The channel account to send from; the tenant's default account when absent."),
  content: OutboundContent,
  reference: z.string().max(256).optional().describe("The client's own reference, echoed in status events."),
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
}
