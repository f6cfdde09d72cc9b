import type { ChannelId, MessagingWindow, OutboundContent } from "../model";

/**
 * When a business may write to a customer on a channel: the platform's messaging window.
 * - `customerFirst`: the customer must have written (or subscribed) before the business may write at all.
 * - `hours`: free-form messages are allowed this long after the customer's last message; no limit when absent.
 * - `outside`: what may still be sent once the window is closed: templates (WhatsApp), message tags
 *   (Messenger), each tag with its own limit counted from the customer's last message.
 */
export interface WindowRule {
  customerFirst: true;
  hours?: number;
  outside: { templates?: true; tags?: readonly { tag: string; hours?: number }[] };
}

/** WhatsApp, both dialects: 24 hours after the customer's last message; templates always. */
const WHATSAPP: WindowRule = { customerFirst: true, hours: 24, outside: { templates: true } };

/**
 * Per channel, from the platforms' documentation.
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-messages#customer-service-windows
 * @see https://developers.facebook.com/docs/messenger-platform/send-messages/message-tags/
 * @see https://core.telegram.org/bots/faq#why-doesn-39t-my-bot-see-messages-from-other-bots (a bot cannot write first)
 * @see https://creators.viber.com/docs/bots-api/resources/messaging/send-message (subscribed users only)
 * @see https://register.apple.com/resources/messages/msp-rest-api/ (the customer starts every conversation)
 */
export const WINDOW_RULES: Record<ChannelId, WindowRule> = {
  whatsapp: WHATSAPP,
  "whatsapp-cloud": WHATSAPP,
  // 24 hours, then only tagged messages: HUMAN_AGENT and CUSTOMER_FEEDBACK within 7 days, the others
  // (non-promotional updates) at any time.
  messenger: {
    customerFirst: true,
    hours: 24,
    outside: {
      tags: [
        { tag: "HUMAN_AGENT", hours: 7 * 24 },
        { tag: "CUSTOMER_FEEDBACK", hours: 7 * 24 },
        { tag: "ACCOUNT_UPDATE" },
        { tag: "CONFIRMED_EVENT_UPDATE" },
        { tag: "POST_PURCHASE_UPDATE" },
      ],
    },
  },
  // A bot may write to a user who started it, until the user blocks it; no time limit.
  telegram: { customerFirst: true, outside: {} },
  // A bot may write to subscribed users (a user who wrote is subscribed) until they unsubscribe.
  viber: { customerFirst: true, outside: {} },
  // The customer starts every conversation; closing it (deleting it on the device) ends it.
  apple: { customerFirst: true, outside: {} },
};

/** What the relay knows of a conversation that decides its window. Times are epoch milliseconds. */
export interface WindowFacts {
  /** The customer's last message or interaction, by the platform's clock. */
  lastInboundAt?: number;
  /** Subscribed (true), unsubscribed or blocked (false), or not told (undefined). */
  subscribed?: boolean;
  /** When the customer closed the conversation (Apple) or unsubscribed. */
  closedAt?: number;
}

const HOUR_MS = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** The window of a conversation at `now`. */
export function windowOf(rule: WindowRule, facts: WindowFacts, now: number): MessagingWindow {
  const { lastInboundAt, subscribed, closedAt } = facts;
  const contacted = lastInboundAt !== undefined || subscribed === true;
  // A customer who closed the conversation or unsubscribed opens it again only by writing again.
  const ended = subscribed === false || (closedAt !== undefined && (lastInboundAt === undefined || closedAt >= lastInboundAt));
  const expiresAt = rule.hours !== undefined && lastInboundAt !== undefined ? lastInboundAt + rule.hours * HOUR_MS : undefined;
  const expired = rule.hours !== undefined && (expiresAt === undefined || now >= expiresAt);
  if (contacted && !ended && !expired) {
    return { open: true, ...(expiresAt !== undefined && { expiresAt: iso(expiresAt) }), allowed: ["any"] };
  }
  const allowed: string[] = [];
  if (rule.outside.templates) allowed.push("template");
  for (const { tag, hours } of rule.outside.tags ?? []) {
    if (ended) break;
    if (hours === undefined || (lastInboundAt !== undefined && now < lastInboundAt + hours * HOUR_MS)) allowed.push(`tag:${tag}`);
  }
  const closed = ended ? closedAt : expired ? expiresAt : undefined;
  return { open: false, ...(closed !== undefined && { closedAt: iso(closed) }), allowed };
}

/** Whether a message may go in this window: anything while open, else a template or an allowed tag. */
export function windowPermits(window: MessagingWindow, content: OutboundContent, tag?: string): boolean {
  if (window.open) return true;
  if (content.type === "template") return window.allowed.includes("template");
  return tag !== undefined && window.allowed.includes(`tag:${tag}`);
}
