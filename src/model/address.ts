import * as z from "zod";

/**
 * Every messenger the relay speaks, by the slug used in webhook paths and config. `whatsapp` is the
 * self-hosted On-Premises container; `whatsapp-cloud` is Meta's Cloud API.
 */
export const CHANNELS = ["whatsapp", "whatsapp-cloud", "messenger", "telegram", "viber", "apple"] as const;
export const ChannelId = z.enum(CHANNELS);
export type ChannelId = z.infer<typeof ChannelId>;

/** Identifiers chosen by the operator in configuration (tenants, accounts, endpoints). */
export const Slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "lowercase letters, digits, '-' and '_', at most 63 characters");

/**
 * A peer is the customer's identity on a channel: a phone number (digits only) on WhatsApp, a
 * business-scoped user id, a PSID, a chat id... Kept as a string: several platforms use ids beyond 2^53.
 */
export const Peer = z
  .string()
  .min(1)
  .max(256)
  .regex(/^\S+$/, "must not contain spaces");

/**
 * Where a message travels: one customer (peer) on one channel account of one tenant.
 * Messages between the same four are delivered in order.
 */
export const ConversationAddress = z.object({
  tenant: Slug,
  channel: ChannelId,
  account: Slug,
  peer: Peer,
});
export type ConversationAddress = z.infer<typeof ConversationAddress>;

/** The stable key of a conversation, used to name its Durable Object. */
export function conversationKey(a: ConversationAddress): string {
  // JSON keeps the parts apart whatever characters a platform's ids contain.
  return JSON.stringify([a.tenant, a.channel, a.account, a.peer]);
}
