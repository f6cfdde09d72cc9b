import * as z from "zod";
import { ChannelId } from "./address";
import { Customer } from "./inbound";

/** The messaging window as the API shows it: whether the business may write freely now, and what it may send otherwise. */
export const MessagingWindow = z.object({
  open: z.boolean(),
  /** When it closes, if nothing changes (time-limited windows only). */
  expiresAt: z.iso.datetime().optional(),
  /** When it closed, if it was ever open. */
  closedAt: z.iso.datetime().optional(),
  /** `any` while open; otherwise what may still go: `template`, `tag:<TAG>` (Messenger), or nothing. */
  allowed: z.array(z.string()),
});
export type MessagingWindow = z.infer<typeof MessagingWindow>;

/** One customer on one account, as `GET /v1/conversations` shows it. */
export const Conversation = z.object({
  id: z.string().describe("Stable; names the account and the customer."),
  account: z.string(),
  channel: ChannelId,
  peer: z.string().describe("The customer's id on the channel, as messages are addressed."),
  customer: Customer.optional().describe("Everything the platform told about the customer, every identity included."),
  createdAt: z.iso.datetime().optional(),
  updatedAt: z.iso.datetime(),
  lastInboundAt: z.iso.datetime().optional().describe("The customer's last message or interaction, by the platform's clock."),
  lastOutboundAt: z.iso.datetime().optional().describe("When the relay last handed a message for the customer to the platform."),
  subscribed: z.boolean().optional().describe("False once the customer unsubscribed, blocked the bot or closed the conversation."),
  window: MessagingWindow,
});
export type Conversation = z.infer<typeof Conversation>;

/** A page of conversations; pass `next` as `cursor` for the following page. */
export const ConversationList = z.object({
  conversations: z.array(Conversation),
  next: z.string().optional(),
});
export type ConversationList = z.infer<typeof ConversationList>;

/**
 * What an account does with a send that the messaging window forbids: `enforce` refuses it with 422
 * `window_closed` before queuing; `advise` queues it anyway and answers with a warning (for a number the
 * relay was added to late, whose earlier conversations it never saw).
 */
export const WindowPolicy = z.enum(["enforce", "advise"]).describe("Refuse sends outside the messaging window (enforce, the default) or queue them with a warning (advise).");
export type WindowPolicy = z.infer<typeof WindowPolicy>;
