import * as z from "zod";

/**
 * How fast the relay sends from one account, so that queues wait their turn instead of collecting the
 * platform's 429s. Each channel declares its platform's documented limit as the default; an account may
 * set its own (a WhatsApp number upgraded to a higher throughput tier, a paid Telegram broadcast).
 */
export const AccountRate = z
  .object({
    perSecond: z.number().positive().max(100_000).optional().describe("Platform requests a second from this account, all conversations together."),
    perConversationPerSecond: z
      .number()
      .positive()
      .max(1_000)
      .optional()
      .describe("Platform requests a second to one customer; unlimited when the channel sets no limit."),
  })
  .describe("Send rate of the account; each field defaults to the channel's documented limit.");
export type AccountRate = z.infer<typeof AccountRate>;

/** A channel's documented send limits. */
export interface ChannelRate {
  perSecond: number;
  perConversationPerSecond?: number;
}

/** The account's own rate where it set one, the channel's default elsewhere. */
export function effectiveRate(defaults: ChannelRate, own: AccountRate | undefined): ChannelRate {
  const perConversation = own?.perConversationPerSecond ?? defaults.perConversationPerSecond;
  return { perSecond: own?.perSecond ?? defaults.perSecond, ...(perConversation !== undefined && { perConversationPerSecond: perConversation }) };
}
