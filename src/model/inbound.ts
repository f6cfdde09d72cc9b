import * as z from "zod";
import { ConversationAddress } from "./address";

/**
 * One way a platform identifies the customer. A customer may have several at once (WhatsApp sends a phone
 * number and a business-scoped user id together); the relay keeps every one it was told.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/
 */
export const Identity = z.object({
  kind: z.enum([
    /** A phone number, digits only (WhatsApp `wa_id`, a shared contact). */
    "phone",
    /** WhatsApp's business-scoped user id (`user_id`, `US.1234...`). */
    "business_scoped_id",
    /** WhatsApp's parent business-scoped user id, shared across a business portfolio (`US.ENT...`). */
    "parent_business_scoped_id",
    /** Messenger's page-scoped id (PSID). */
    "page_scoped_id",
    /** A platform user id (Telegram `from.id`, Viber user id). */
    "user_id",
    /** A public username (Telegram `@name`, WhatsApp usernames). */
    "username",
    /** An opaque id that names the customer to this business only (Apple `urn:mbid:...`). */
    "opaque_id",
  ]),
  value: z.string(),
});
export type Identity = z.infer<typeof Identity>;

/** The customer as the platform described them on this event. `id` is the conversation's peer. */
export const Customer = z.object({
  id: z.string(),
  name: z.string().optional(),
  username: z.string().optional(),
  phone: z.string().optional(),
  /** Language as the platform reported it (`en`, `en_US`). */
  language: z.string().optional(),
  /** Country code as the platform reported it (ISO 3166-1 alpha-2). */
  country: z.string().optional(),
  avatarUrl: z.string().optional(),
  /** Every identity the platform sent for the customer, `id` included. */
  identities: z.array(Identity).optional(),
});
export type Customer = z.infer<typeof Customer>;

/** The chat a message was written in, where the platform has more than one kind (Telegram). */
export const Chat = z.object({
  kind: z.enum(["private", "group", "supergroup", "channel"]),
  title: z.string().optional(),
});
export type Chat = z.infer<typeof Chat>;

/** How the customer came: an ad, a link with a parameter, a plugin (WhatsApp and Messenger referrals). */
export const Referral = z.object({
  /** Where from: `ad`, `shortlink`, `post`, `customer_chat_plugin`, ... as the platform names it. */
  source: z.string().optional(),
  /** The platform's kind of referral (`OPEN_THREAD`, `image`, ...). */
  type: z.string().optional(),
  /** The parameter the business put in the link or ad (`ref`, `context`, a `/start` payload). */
  ref: z.string().optional(),
  /** The ad or post id. */
  sourceId: z.string().optional(),
  url: z.string().optional(),
  headline: z.string().optional(),
  body: z.string().optional(),
  /** The ad's image or video, as the platform links it. */
  mediaUrl: z.string().optional(),
  /** The thumbnail of the ad's video. */
  thumbnailUrl: z.string().optional(),
  /** The platform's id of this click on the ad, for conversion reporting (WhatsApp `ctwa_clid`). */
  clickId: z.string().optional(),
  /** The greeting the ad put in the customer's composer (WhatsApp `welcome_message`). */
  greeting: z.string().optional(),
});
export type Referral = z.infer<typeof Referral>;

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
    /** Size in bytes, as the platform reported it. */
    size: z.number().int().nonnegative().optional(),
    width: z.number().int().nonnegative().optional(),
    height: z.number().int().nonnegative().optional(),
    durationSeconds: z.number().nonnegative().optional(),
    /** Voice notes are audio recorded in the app. */
    voice: z.boolean().optional(),
    /** Animated (a GIF sent as video, an animated sticker). */
    animated: z.boolean().optional(),
    /**
     * False when the file cannot be fetched (the container could not download it, the link expired);
     * `unavailableReason` says why. Left out when it can be.
     */
    available: z.boolean().optional(),
    unavailableReason: z.string().optional(),
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
    /** The emoji; when `removed`, the one taken back, or empty when the platform does not say which. */
    emoji: z.string(),
    /** The platform id of the message reacted to. */
    platformMessageId: z.string().optional(),
    /** The customer took a reaction back. */
    removed: z.boolean().optional(),
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
 * `internal_error`: the relay itself could not process the message (logged with its id);
 * `auth_failed` / `account_disabled`: the account's credentials were refused, or its number or bot was
 * disabled (these pause the account's queues rather than fail its messages).
 */
export const FailureReason = z.enum([
  "window_closed",
  "recipient_invalid",
  "recipient_blocked",
  "rate_limited",
  "auth_failed",
  "account_disabled",
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

/** What WhatsApp says a message costs. @see https://developers.facebook.com/docs/whatsapp/pricing */
export const Pricing = z.object({
  billable: z.boolean().optional(),
  /** `CBP` (per conversation, legacy) or `PMP` (per message). */
  model: z.string().optional(),
  /** `marketing`, `utility`, `authentication`, `service`, ... */
  category: z.string().optional(),
  /** `regular`, `free_customer_service`, `free_entry_point` (per-message pricing). */
  type: z.string().optional(),
});
export type Pricing = z.infer<typeof Pricing>;

/** WhatsApp's own conversation a message was billed in (not the relay's conversation). */
export const PlatformConversation = z.object({
  id: z.string().optional(),
  /** The conversation's origin: `user_initiated`, `business_initiated`, `service`, `marketing`, ... */
  category: z.string().optional(),
  expiresAt: z.iso.datetime().optional(),
});
export type PlatformConversation = z.infer<typeof PlatformConversation>;

const eventBase = {
  /** Unique and stable: a redelivered platform event keeps its id. */
  id: z.string(),
  createdAt: z.iso.datetime(),
  conversation: ConversationAddress,
};

/** What a customer's message carries, received or edited. */
const CustomerMessage = z.object({
  platformMessageId: z.string(),
  timestamp: z.iso.datetime(),
  sender: Customer,
  content: InboundContent,
  /** The platform id of the message this one answers, when it is a reply. */
  inReplyTo: z.string().optional(),
  /** The chat, on platforms with more than private chats. */
  chat: Chat.optional(),
  /** The ad or link the customer came from, when the message started from one. */
  referral: Referral.optional(),
  /** Forwarded from elsewhere (WhatsApp, Telegram). */
  forwarded: z.boolean().optional(),
  /** The catalog product the customer asks about (WhatsApp: written from a product's "Message business" button). */
  referredProduct: z.object({ catalogId: z.string().optional(), productId: z.string() }).optional(),
});

/** A customer wrote to the business. */
export const MessageReceivedEvent = z.object({
  ...eventBase,
  type: z.literal("message.received"),
  message: CustomerMessage,
});
export type MessageReceivedEvent = z.infer<typeof MessageReceivedEvent>;

/** A customer edited a message: `message` is the new content; `platformMessageId` the edited message's id. */
export const MessageEditedEvent = z.object({
  ...eventBase,
  type: z.literal("message.edited"),
  message: CustomerMessage,
});
export type MessageEditedEvent = z.infer<typeof MessageEditedEvent>;

/** A customer deleted (revoked) a message they had sent. */
export const MessageDeletedEvent = z.object({
  ...eventBase,
  type: z.literal("message.deleted"),
  message: z.object({
    /** The platform id of the message deleted. */
    platformMessageId: z.string(),
    timestamp: z.iso.datetime(),
    sender: Customer.optional(),
  }),
});
export type MessageDeletedEvent = z.infer<typeof MessageDeletedEvent>;

/** A message sent through the relay (or from the platform's own inbox) changed status. */
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
    /**
     * A watermark: every message sent to the customer up to this time has this status (Messenger). The
     * relay's own messages also get a status event each; this one covers messages sent from elsewhere.
     */
    upTo: z.iso.datetime().optional(),
    error: StatusError.optional(),
    /** How many times the relay tried to hand the message to the platform (on the relay's own statuses). */
    attempts: z.number().int().optional(),
    pricing: Pricing.optional(),
    platformConversation: PlatformConversation.optional(),
  }),
});
export type MessageStatusEvent = z.infer<typeof MessageStatusEvent>;

/** Lifecycle events: what happened, when the platform says it did, and who. */
function lifecycle<T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  return z.object({
    ...eventBase,
    type: z.literal(type),
    /** When it happened, by the platform's clock. */
    timestamp: z.iso.datetime(),
    customer: Customer.optional(),
    ...shape,
  });
}

/** The customer opened a conversation (Viber `conversation_started`, Messenger Get Started, WhatsApp welcome request, Telegram `/start`). */
export const ConversationStartedEvent = lifecycle("conversation.started", {
  /** How: the platform's trigger (`open`, `get_started`, `request_welcome`, `start`). */
  trigger: z.string().optional(),
  referral: Referral.optional(),
  /** Whether the customer is subscribed to the account already (Viber). */
  subscribed: z.boolean().optional(),
});
/** The customer closed or deleted the conversation (Apple `close`). */
export const ConversationClosedEvent = lifecycle("conversation.closed", {});
/** The customer came through a link, ad or plugin into a conversation that already existed (Messenger `referral`). */
export const ConversationReferralEvent = lifecycle("conversation.referral", { referral: Referral });
/**
 * The customer opted in: subscribed to the account (Viber), started or unblocked the bot (Telegram), opted in
 * to a topic of messages (Messenger notification messages, WhatsApp marketing messages resumed).
 */
export const ContactSubscribedEvent = lifecycle("contact.subscribed", {
  /** What the opt-in covers, when it is narrower than the account (a Messenger notification topic, `marketing`). */
  topic: z.string().optional(),
  /** The platform's token for sending under this opt-in (Messenger notification messages token). */
  token: z.string().optional(),
  ref: z.string().optional(),
  /** Until when the opt-in holds, when the platform limits it. */
  expiresAt: z.iso.datetime().optional(),
});
/** The customer opted out: unsubscribed, blocked the bot, stopped a topic of messages. */
export const ContactUnsubscribedEvent = lifecycle("contact.unsubscribed", {
  topic: z.string().optional(),
  reason: z.string().optional(),
});
/** The customer is typing (Apple). */
export const TypingStartedEvent = lifecycle("typing.started", {});
/** The customer stopped typing (Apple). */
export const TypingStoppedEvent = lifecycle("typing.stopped", {});

/** The platform reported an error not tied to one message (e.g. the account lost its connection). */
export const ChannelErrorEvent = z.object({
  ...eventBase,
  type: z.literal("channel.error"),
  error: z.object({ code: z.string().optional(), title: z.string(), detail: z.string().optional() }),
});
export type ChannelErrorEvent = z.infer<typeof ChannelErrorEvent>;

/** Whether an account can send: `paused` holds its queues until its credentials or number work again. */
export const AccountHealth = z.object({
  state: z.enum(["ok", "paused"]),
  /** Why it is paused: a FailureReason such as `auth_failed`, or `account_disabled`. */
  reason: z.string().optional(),
  detail: z.string().optional(),
  since: z.iso.datetime(),
});
export type AccountHealth = z.infer<typeof AccountHealth>;

/** An account's health changed (paused after an authentication failure, resumed after new credentials). */
export const AccountHealthEvent = z.object({
  ...eventBase,
  type: z.literal("account.health"),
  health: AccountHealth,
});
export type AccountHealthEvent = z.infer<typeof AccountHealthEvent>;

/** Every event the relay delivers to a business endpoint. */
export const InboundEvent = z.discriminatedUnion("type", [
  MessageReceivedEvent,
  MessageEditedEvent,
  MessageDeletedEvent,
  MessageStatusEvent,
  ConversationStartedEvent,
  ConversationClosedEvent,
  ConversationReferralEvent,
  ContactSubscribedEvent,
  ContactUnsubscribedEvent,
  TypingStartedEvent,
  TypingStoppedEvent,
  ChannelErrorEvent,
  AccountHealthEvent,
]);
export type InboundEvent = z.infer<typeof InboundEvent>;

/** The events about one customer that a platform sends (not statuses of sent messages, not account-wide events). */
export type CustomerEvent = Exclude<InboundEvent, MessageStatusEvent | ChannelErrorEvent | AccountHealthEvent>;

/** The type of an event, as endpoint filters name it: every type of InboundEvent. */
export const EventType = z.enum(InboundEvent.options.map((o) => o.shape.type.value) as [InboundEvent["type"], ...InboundEvent["type"][]]);
export type EventType = z.infer<typeof EventType>;
