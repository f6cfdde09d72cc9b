import type { Customer } from "../../model";
import { fingerprint } from "../http";
import type { ParsedEvent, ParseResult } from "../types";
import { viberContent } from "./content";
import { parseViberJson, tokenOf } from "./json";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Viber's delivery receipts, as the relay's statuses. */
const STATUS_EVENTS = { delivered: "delivered", seen: "read", failed: "failed" } as const;

/**
 * Viber timestamps are epoch milliseconds; now when absent or malformed.
 * @see https://creators.viber.com/docs/bots-api/events/message-received
 */
export function msToIso(value: unknown, now = Date.now()): string {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  return new Date(Number.isFinite(n) && n > 0 ? n : now).toISOString();
}

/**
 * The customer as Viber describes them (`sender` of a message, `user` of subscribed and
 * conversation_started): the bot-scoped user id, and the name, avatar, phone language and country
 * Viber adds when it has them.
 * @see https://creators.viber.com/docs/bots-api/events/message-received
 * @see https://creators.viber.com/docs/bots-api/events/subscribed
 */
export function viberCustomer(id: string, user: Obj = {}): Customer {
  return {
    id,
    ...(str(user.name) && { name: str(user.name) }),
    ...(str(user.avatar) && { avatarUrl: str(user.avatar) }),
    ...(str(user.language) && { language: str(user.language) }),
    ...(str(user.country) && { country: str(user.country) }),
    identities: [{ kind: "user_id", value: id }],
  };
}

function requireToken(e: Obj): string {
  const token = tokenOf(e.message_token);
  if (!token) throw new Error("no message_token");
  return token;
}

function parseMessage(e: Obj, now: number): ParsedEvent {
  const sender = isObj(e.sender) ? e.sender : {};
  const id = str(sender.id);
  if (!id) throw new Error("message without sender.id");
  if (!isObj(e.message)) throw new Error("message without a message object");
  const token = requireToken(e);
  return {
    type: "message.received",
    peer: id,
    dedupeKey: `message:${token}`,
    message: {
      platformMessageId: token,
      timestamp: msToIso(e.timestamp, now),
      sender: viberCustomer(id, sender),
      content: viberContent(e.message),
    },
  };
}

function parseStatus(e: Obj, event: keyof typeof STATUS_EVENTS, now: number): ParsedEvent {
  const peer = str(e.user_id);
  if (!peer) throw new Error(`${event} without user_id`);
  const token = requireToken(e);
  const status = STATUS_EVENTS[event];
  return {
    type: "message.status",
    peer,
    dedupeKey: `status:${token}:${event}`,
    status: {
      platformMessageId: token,
      status,
      timestamp: msToIso(e.timestamp, now),
      // Viber says why only in free text (`desc`), e.g. when the app rejected a keyboard.
      ...(status === "failed" && { error: { reason: "platform_error" as const, ...(str(e.desc) && { detail: str(e.desc) }) } }),
    },
  };
}

/** The customer a callback concerns (`user` object, or only `user_id` on unsubscribed), and its dedupe key. */
function subjectOf(e: Obj, event: string, text: string): { peer: string; user: Obj; id: string; dedupeKey: string } {
  const user = isObj(e.user) ? e.user : isObj(e.sender) ? e.sender : {};
  const peer = str(user.id) ?? str(e.user_id);
  if (!peer) throw new Error(`'${event}' without a user`);
  // Every callback carries a message_token; the fingerprint is only a fallback for one that does not.
  const id = tokenOf(e.message_token) ?? `fp-${fingerprint(text)}`;
  return { peer, user, id, dedupeKey: `${event}:${id}` };
}

/**
 * The customer opened the bot's chat (`type` "open", from a deep link whose `context` parameter the
 * business chose), before any message: the one moment a welcome message may go to someone not
 * subscribed. `subscribed` says whether they already are.
 * @see https://creators.viber.com/docs/bots-api/events/conversation-started
 */
function parseConversationStarted(e: Obj, text: string, now: number): ParsedEvent {
  const { peer, user, dedupeKey } = subjectOf(e, "conversation_started", text);
  const context = str(e.context);
  return {
    type: "conversation.started",
    peer,
    dedupeKey,
    timestamp: msToIso(e.timestamp, now),
    customer: viberCustomer(peer, user),
    ...(str(e.type) && { trigger: str(e.type) }),
    ...(context && { referral: { ref: context } }),
    ...(typeof e.subscribed === "boolean" && { subscribed: e.subscribed }),
  };
}

/**
 * The customer subscribed (tapped "receive messages"), or unsubscribed: then the bot may no longer write
 * to them (a send fails with status 6). A customer's first message also subscribes them, without this
 * callback.
 * @see https://creators.viber.com/docs/bots-api/events/subscribed
 * @see https://creators.viber.com/docs/bots-api/events/unsubscribed
 */
function parseSubscription(e: Obj, event: "subscribed" | "unsubscribed", text: string, now: number): ParsedEvent {
  const { peer, user, dedupeKey } = subjectOf(e, event, text);
  const base = { peer, dedupeKey, timestamp: msToIso(e.timestamp, now), customer: viberCustomer(peer, user) };
  return event === "subscribed" ? { type: "contact.subscribed", ...base } : { type: "contact.unsubscribed", ...base };
}

/**
 * A callback the relay does not know reaches the business as an unsupported message from the customer
 * it concerns, carrying the callback.
 */
function parseOther(e: Obj, event: string, text: string, now: number): ParsedEvent {
  const { peer, user, id, dedupeKey } = subjectOf(e, event, text);
  return {
    type: "message.received",
    peer,
    dedupeKey,
    message: {
      platformMessageId: id,
      timestamp: msToIso(e.timestamp, now),
      sender: viberCustomer(peer, user),
      content: { type: "unsupported", platformType: event, raw: e },
    },
  };
}

function parseEvent(value: Obj, event: string, text: string, now: number): ParsedEvent[] {
  switch (event) {
    case "webhook":
      // The set_webhook check: the handshake answers it.
      return [];
    case "message":
      return [parseMessage(value, now)];
    case "delivered":
    case "seen":
    case "failed":
      return [parseStatus(value, event, now)];
    case "conversation_started":
      return [parseConversationStarted(value, text, now)];
    case "subscribed":
    case "unsubscribed":
      return [parseSubscription(value, event, text, now)];
    default:
      return [parseOther(value, event, text, now)];
  }
}

/**
 * Parses one Viber callback. Viber sends one event per request; a callback that cannot be read becomes a
 * problem (answered 200 so Viber does not retry it), never an error. The `webhook` handshake yields nothing.
 * @see https://creators.viber.com/docs/bots-api/events/message-received
 * @see https://creators.viber.com/docs/bots-api/events/message-delivered
 */
export function parseViberWebhook(body: Uint8Array, now = Date.now()): ParseResult {
  const text = new TextDecoder().decode(body);
  let value: unknown;
  try {
    value = parseViberJson(text);
  } catch {
    return { events: [], problems: ["body is not JSON"] };
  }
  if (!isObj(value)) return { events: [], problems: ["body is not a JSON object"] };
  const event = str(value.event) ?? "unknown";
  try {
    return { events: parseEvent(value, event, text, now), problems: [] };
  } catch (e) {
    return { events: [], problems: [`${event}: ${e instanceof Error ? e.message : String(e)}`] };
  }
}
