import * as z from "zod";
import { ConversationAddress } from "./address";

/** Media received from a customer. `url` is a relay URL when the platform needs credentials to fetch. */
function media<T extends string>(type: T) {
  return z.object({
    type: z.literal(type),
    /** The platform's id of the file, to fetch it later. */
    mediaId: z.string().optional(),
    url: z.string().optional(),
    mimeType: z.string().optional(),
    sha256: z.string().optional(),
    caption: z.string().optional(),
    filename: z.string().optional(),
    /** Voice notes are audio recorded in the app. */
    voice: z.boolean().optional(),
  });
}

export const InboundContent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), text: z.string() }),
  media("image"),
  media("audio"),
  media("video"),
  media("document"),
  media("sticker"),
  z.object({
    type: z.literal("location"),
    latitude: z.number(),
    longitude: z.number(),
    name: z.string().optional(),
    address: z.string().optional(),
    url: z.string().optional(),
  }),
  z.object({
    type: z.literal("contacts"),
    contacts: z.array(
      z.object({
        name: z.string().optional(),
        phones: z.array(z.string()),
        emails: z.array(z.string()).optional(),
      }),
    ),
  }),
  /** The customer tapped a button or picked a list row. */
  z.object({
    type: z.literal("reply"),
    id: z.string().optional(),
    title: z.string(),
    /** What the reply answers: a quick-reply button, a list row, a template button, a postback. */
    source: z.enum(["button", "list", "template_button", "postback", "quick_reply"]),
  }),
  z.object({
    type: z.literal("reaction"),
    emoji: z.string(),
    /** The platform id of the message reacted to. */
    platformMessageId: z.string().optional(),
  }),
  /** Anything the relay does not model yet; `raw` carries the platform's own item. */
  z.object({
    type: z.literal("unsupported"),
    platformType: z.string(),
    raw: z.unknown(),
  }),
]);
export type InboundContent = z.infer<typeof InboundContent>;

export const MessageStatus = z.enum(["queued", "sent", "delivered", "read", "failed"]);
export type MessageStatus = z.infer<typeof MessageStatus>;

/**
 * Why a message failed, as a stable string clients can branch on.
 * `window_closed`: outside the platform's customer-care window (send a template instead);
 * `recipient_invalid`: not a user of the platform; `expired`: could not be sent in time;
 * `url_refused`: a media URL the relay will not fetch (not https, or it leads to a private address);
 * `internal_error`: the relay itself could not process the message (logged with its id).
 */
export const FailureReason = z.enum([
  "window_closed",
  "recipient_invalid",
  "recipient_blocked",
  "rate_limited",
  "auth_failed",
  "content_rejected",
  "unsupported_content",
  "media_failed",
  "expired",
  "platform_error",
  "url_refused",
  "internal_error",
]);
export type FailureReason = z.infer<typeof FailureReason>;

export const StatusError = z.object({
  reason: FailureReason,
  /** The platform's own error code, when it gave one. */
  code: z.string().optional(),
  detail: z.string().optional(),
});
export type StatusError = z.infer<typeof StatusError>;

const eventBase = {
  /** Unique and stable: a redelivered platform event keeps its id. */
  id: z.string(),
  createdAt: z.iso.datetime(),
  conversation: ConversationAddress,
};

/** A customer wrote to the business. */
export const MessageReceivedEvent = z.object({
  ...eventBase,
  type: z.literal("message.received"),
  message: z.object({
    platformMessageId: z.string(),
    timestamp: z.iso.datetime(),
    sender: z.object({ id: z.string(), name: z.string().optional() }),
    content: InboundContent,
    /** The platform id of the message this one answers, when it is a reply. */
    inReplyTo: z.string().optional(),
  }),
});
export type MessageReceivedEvent = z.infer<typeof MessageReceivedEvent>;

/** A message sent through the relay changed status. */
export const MessageStatusEvent = z.object({
  ...eventBase,
  type: z.literal("message.status"),
  status: z.object({
    /** The relay's message id; absent when the message was not sent through the relay. */
    messageId: z.string().optional(),
    platformMessageId: z.string().optional(),
    reference: z.string().optional(),
    status: MessageStatus.exclude(["queued"]),
    timestamp: z.iso.datetime(),
    error: StatusError.optional(),
    /** How many times the relay tried to hand the message to the platform (on the relay's own statuses). */
    attempts: z.number().int().optional(),
  }),
});
export type MessageStatusEvent = z.infer<typeof MessageStatusEvent>;

/** The platform reported an error not tied to one message (e.g. the account lost its connection). */
export const ChannelErrorEvent = z.object({
  ...eventBase,
  type: z.literal("channel.error"),
  error: z.object({ code: z.string().optional(), title: z.string(), detail: z.string().optional() }),
});
export type ChannelErrorEvent = z.infer<typeof ChannelErrorEvent>;

/** Every event the relay delivers to a business endpoint. */
export const InboundEvent = z.discriminatedUnion("type", [
  MessageReceivedEvent,
  MessageStatusEvent,
  ChannelErrorEvent,
]);
export type InboundEvent = z.infer<typeof InboundEvent>;

/** The type of an event, as endpoint filters name it: every type of InboundEvent. */
export const EventType = z.enum(InboundEvent.options.map((o) => o.shape.type.value) as [InboundEvent["type"], ...InboundEvent["type"][]]);
export type EventType = z.infer<typeof EventType>;
