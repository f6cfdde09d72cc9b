import { WINDOW_RULES, windowOf } from "../channels/window";
import type { Env } from "../env";
import type { ConversationAddress, Customer, CustomerEvent, MessagingWindow } from "../model";
import type { ConversationFactsRow, CustomerNote } from "./conversation-facts";
import { windowFactsOf } from "./conversation-facts";
import { byShard, conversationOutbox } from "./conversation-shards";

/**
 * A WhatsApp business-scoped user id (`US.13491208655302741918`): the one identity WhatsApp keeps for a
 * customer whether or not it shows their phone number.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/
 */
const BUSINESS_SCOPED_ID = /^[A-Z]{2}\.[A-Za-z0-9.]{1,140}$/;

/** The customer an event describes, if it does. */
export function customerOf(event: { type: string } & Partial<Record<"customer" | "message", unknown>>): Customer | undefined {
  if ("message" in event && event.message && typeof event.message === "object" && "sender" in event.message) return event.message.sender as Customer | undefined;
  return "customer" in event ? (event.customer as Customer | undefined) : undefined;
}

/** What an event tells about the customer's window, if anything. */
export function noteOf(event: CustomerEvent): CustomerNote | undefined {
  const customer = customerOf(event);
  const base = { address: event.conversation, ...(customer && { customer }) };
  switch (event.type) {
    case "message.received":
    case "message.edited":
      return { ...base, kind: "inbound", at: Date.parse(event.message.timestamp) };
    case "conversation.started":
    case "conversation.referral":
      return { ...base, kind: "inbound", at: Date.parse(event.timestamp) };
    // Opting in to one topic of messages is an interaction; subscribing to the account is more.
    case "contact.subscribed":
      return { ...base, kind: event.topic ? "inbound" : "subscribed", at: Date.parse(event.timestamp) };
    // Opting out of one topic (marketing) leaves the conversation as it is.
    case "contact.unsubscribed":
      return event.topic ? undefined : { ...base, kind: "unsubscribed", at: Date.parse(event.timestamp) };
    case "conversation.closed":
      return { ...base, kind: "closed", at: Date.parse(event.timestamp) };
    default:
      return undefined;
  }
}

/** The business-scoped id among a customer's identities, or the peer itself when it is one. */
function businessScopedId(peer: string, customer: Customer | undefined): string | undefined {
  return customer?.identities?.find((i) => i.kind === "business_scoped_id")?.value ?? (BUSINESS_SCOPED_ID.test(peer) ? peer : undefined);
}

/**
 * Leads each event of a customer who has a WhatsApp business-scoped id to the conversation that id led to
 * first: a customer who moves from their phone number to the id (or back) keeps one conversation, its
 * order, window and history. Aliases live in the shard of the business-scoped id.
 */
export async function resolveAliases<E extends { peer: string }>(env: Env, base: Omit<ConversationAddress, "peer">, events: E[], customer: (e: E) => Customer | undefined): Promise<void> {
  if (!base.channel.startsWith("whatsapp")) return;
  const pending = events.flatMap((event) => {
    const id = businessScopedId(event.peer, customer(event));
    return id ? [{ event, id, address: { ...base, peer: id } }] : [];
  });
  await Promise.all(
    [...byShard(env, pending, (p) => p.address).values()].map(async (group) => {
      const peers = await conversationOutbox(env, group[0]!.address).resolveAliases(group.map((p) => ({ identity: `business_scoped_id:${p.id}`, peer: p.event.peer })));
      group.forEach((p, i) => {
        const peer = peers[i]!;
        if (peer === p.event.peer) return;
        p.event.peer = peer;
        const c = customer(p.event);
        if (c) c.id = peer;
      });
    }),
  );
}

/** The conversation a business-scoped id led to, for a send addressed to that id (or the id itself). */
export async function peerForRecipient(env: Env, address: ConversationAddress): Promise<string> {
  if (!address.channel.startsWith("whatsapp") || !BUSINESS_SCOPED_ID.test(address.peer)) return address.peer;
  return (await conversationOutbox(env, address).aliasOf(`business_scoped_id:${address.peer}`)) ?? address.peer;
}

/** The key of a conversation in what `conversationFacts` answers. */
export const factsKey = (a: Pick<ConversationAddress, "account" | "peer">) => JSON.stringify([a.account, a.peer]);

/** What the relay knows of these conversations by `factsKey` (absent: never seen), all shards in parallel. */
export async function conversationFacts(env: Env, addresses: readonly ConversationAddress[]): Promise<Map<string, ConversationFactsRow>> {
  const found = new Map<string, ConversationFactsRow>();
  await Promise.all(
    [...byShard(env, addresses, (a) => a).values()].map(async (group) => {
      const rows = await conversationOutbox(env, group[0]!).conversationFacts(group.map((a) => a.peer));
      for (const [peer, row] of Object.entries(rows)) found.set(factsKey({ account: group[0]!.account, peer }), row);
    }),
  );
  return found;
}

/** The messaging window of a conversation at `now`. */
export function conversationWindow(channel: ConversationAddress["channel"], row: ConversationFactsRow | undefined, now = Date.now()): MessagingWindow {
  return windowOf(WINDOW_RULES[channel], windowFactsOf(row), now);
}
