import type { z } from "zod";
import type {
  ChannelId,
  ConversationActionType,
  CustomerEvent,
  MessageStatus,
  OutboundContent,
  OutboundMessage,
  PlatformConversation,
  Pricing,
  StatusError,
} from "../model";
import type { UrlPolicy } from "../transport/guarded-fetch";
import type { ChannelRate } from "./rate";

/** The raw webhook request as the platform sent it: verification runs on these bytes, before parsing. */
export interface WebhookRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: Uint8Array;
}

/** What the relay knows of every channel account, whatever its platform. */
export interface BaseAccount {
  id: string;
  channel: ChannelId;
}

/**
 * What a platform can render, so that the core degrades (splits long texts, turns buttons into a
 * numbered list) or refuses early with a 422, instead of failing late. The adapter's `send` is only ever
 * given content that fits these.
 */
export interface Capabilities {
  /** Longest text of one message; longer texts are split at word boundaries. */
  maxTextLength: number;
  /** The content types the platform renders natively. */
  contentTypes: readonly OutboundContent["type"][];
  /** Quick-reply buttons, when `contentTypes` has "buttons": how many, how long a title, how long the text. */
  buttons?: { max: number; maxTitleLength: number; maxTextLength: number };
  /** List menus, when `contentTypes` has "list": rows in all, title length, text length. */
  list?: { maxRows: number; maxTitleLength: number; maxTextLength: number };
  /** Longest media caption; a longer one is sent as a text after the media. */
  maxCaptionLength?: number;
  /**
   * A URL (call-to-action) button, when `contentTypes` has "url_button": how long its label and text may
   * be; beyond, or without one, it becomes the text followed by "title: url".
   */
  urlButton?: { maxTitleLength: number; maxTextLength: number };
  /**
   * Whether a message can quote another (`replyTo`). Where it cannot (Viber, Apple Messages) the message
   * goes without the quote: a quote is decoration, never a reason to refuse or fail a message.
   */
  quotedReplies: boolean;
  /** Whether a send may name a message tag (Messenger); elsewhere a tag is refused with 422 `tag_unsupported`. */
  messageTags?: boolean;
  /** The conversation actions the platform has (`POST /v1/conversations/{id}/actions`), each done by `act`. */
  actions: readonly ConversationActionType[];
  /** Actions the platform can only do for a given customer message (WhatsApp marks a message read, and shows typing in reply to one). */
  actionsNeedMessageId?: readonly ConversationActionType[];
  /** Whether the platform sends delivery and read receipts. */
  receipts: boolean;
  /**
   * The adapter fetches outbound media itself, through the guarded fetch (Apple uploads the file), so the
   * core does not request the URL first; otherwise the core checks it before the platform gets it.
   */
  fetchesMedia?: boolean;
  /** The platform's documented send limits: the default of every account of the channel. */
  rate: ChannelRate;
}

/** Omit over each member of a union (TypeScript's Omit would merge the members). */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A platform event before the relay gives it an id and a tenant. `dedupeKey` identifies the event on the
 * platform (message id, or message id + status) so that redeliveries are recognised. Events about a
 * customer carry the unified event's fields as they are, with the customer's id as `peer`.
 */
export type ParsedEvent =
  | (OmitEach<CustomerEvent, "id" | "createdAt" | "conversation"> & { peer: string; dedupeKey: string })
  | {
      type: "message.status";
      peer: string;
      dedupeKey: string;
      status: {
        status: Exclude<MessageStatus, "queued">;
        timestamp: string;
        error?: StatusError;
        pricing?: Pricing;
        platformConversation?: PlatformConversation;
      } & (
        | { platformMessageId: string }
        /** Every message sent to the peer up to this time (ISO) has this status (Messenger watermarks). */
        | { watermark: string }
      );
    }
  | {
      type: "channel.error";
      dedupeKey: string;
      error: { code?: string; title: string; detail?: string };
    };

/** One webhook request parsed: the events it carried, and what could not be read (never fatal). */
export interface ParseResult {
  events: ParsedEvent[];
  problems: string[];
  /**
   * Items addressed to another account of the same platform app (Meta sends every phone number's or
   * Page's events to the app's one callback URL). The relay parses the request again for the tenant's
   * other accounts of the channel that authenticate it.
   */
  foreign?: number;
}

/** The outcome of one send attempt (one platform request), classified so that delivery knows whether to retry. */
export type SendResult =
  | { kind: "ok"; platformMessageId: string }
  | {
      kind: "retry";
      afterSeconds?: number;
      detail: string;
      /** The business's media server failed, not the platform: retried a bounded number of times, then `media_failed`. */
      cause?: "media";
    }
  | { kind: "failed"; error: StatusError };

/** A conversation action as an adapter gets it: `messageId` already the platform's id of the customer's message. */
export interface ConversationAction {
  type: ConversationActionType;
  messageId?: string;
}

/**
 * The outcome of an action: done, or not (the answer says why; actions are never queued or retried, so
 * `retry` only tells the client that trying again later may work).
 */
export type ActionResult = { kind: "ok" } | Exclude<SendResult, { kind: "ok" }>;

/** A platform credential obtained by logging in, cached for every conversation of the account. */
export interface SessionToken {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** What delivery gives an adapter for one send. */
export interface SendContext {
  /** The Worker's bindings: tunnels are service bindings. */
  env: Record<string, unknown>;
  /** A valid session token for the account (logged in once, shared by all its conversations). */
  token(): Promise<string>;
  /** The platform rejected `stale`: log in again (once, however many conversations ask) and return the new token. */
  renewToken(stale: string): Promise<string>;
  /** How URLs handed to the relay may be fetched (`guardedFetch`): https and public hosts only, outside the sandbox. */
  urlPolicy: UrlPolicy;
}

/**
 * One messaging platform, both directions. Adding a platform is a folder implementing this and one line in
 * `registry.ts`; the shared contract tests then cover it.
 */
export interface ChannelAdapter<A extends BaseAccount = BaseAccount> {
  readonly channel: ChannelId;
  /** Validates this channel's account configuration. */
  readonly accountSchema: z.ZodType<A>;
  /**
   * The account's secrets by dotted path (`container.password`): sealed at rest, write-only in every API
   * (an answer shows only a hint of the last four characters), never logged.
   */
  readonly secretFields: readonly string[];
  readonly capabilities: Capabilities;
  /** The platform's form of a recipient id given by a client, or null when it cannot be one. */
  normalizePeer(raw: string): string | null;
  /** Why this account cannot send this content at all (a 422 before queuing), or null. */
  refuse?(content: OutboundContent, account: A): string | null;
  /** Answers a platform's subscription handshake (GET), or null when the request is not one. */
  handshake?(req: WebhookRequest, account: A): Response | null | Promise<Response | null>;
  /** True when the request provably comes from the platform (on the raw bytes, in constant time). */
  verify(req: WebhookRequest, account: A): Promise<boolean>;
  /**
   * Turns one verified request body into unified events; one bad item never drops the rest. May be async
   * (Apple's bodies are gzip-compressed).
   */
  parse(body: Uint8Array, account: A, headers: Headers): ParseResult | Promise<ParseResult>;
  /**
   * Streams an inbound media file, by the `mediaId` its event carried, from the platform (with whatever
   * credentials it needs); the relay serves it at a signed, short-lived URL so that no platform token
   * ever reaches the business.
   */
  fetchMedia?(mediaId: string, account: A, ctx: SendContext): Promise<Response>;
  /** Logs in to obtain a session token, for platforms that need one. */
  login?(account: A, env: Record<string, unknown>): Promise<SessionToken>;
  /**
   * Renders, sends and classifies one platform message. `message.content` is one part of the relay
   * message (already degraded to fit `capabilities`); `part` numbers the parts of a split message.
   */
  send(message: OutboundMessage, peer: string, account: A, ctx: SendContext & { part: number }): Promise<SendResult>;
  /**
   * Does one conversation action at once (typing indicator, read receipt), through the same transport as
   * `send`. Only called with an action listed in `capabilities.actions`.
   */
  act?(action: ConversationAction, peer: string, account: A, ctx: SendContext): Promise<ActionResult>;
}
