import * as z from "zod";
import { AccountRate } from "../rate";
import { WindowPolicy } from "../../model";
import { Slug } from "../../model";

/**
 * The Viber REST Bot API.
 * @see https://creators.viber.com/docs/bots-api/getting-started/authentication
 */
export const VIBER_API_BASE_URL = "https://chatapi.viber.com/pa";

/** The bot's display name on each message. @see https://creators.viber.com/docs/bots-api/data-models/message */
export const VIBER_MAX_SENDER_NAME = 28;

/**
 * A Viber bot. Its auth token authenticates the relay's calls (`X-Viber-Auth-Token`) and is also the HMAC
 * key Viber signs its callbacks with, so one secret serves both directions.
 * @see https://creators.viber.com/docs/bots-api/getting-started/authentication
 * @see https://creators.viber.com/docs/bots-api/getting-started/web-hooks
 */
export const ViberAccount = z.object({
  id: Slug,
  channel: z.literal("viber"),
  /** Overrides the channel's default send rate. */
  rate: AccountRate.optional(),
  /** Sends outside the messaging window: refused (`enforce`, the default) or queued with a warning (`advise`). */
  windowPolicy: WindowPolicy.optional(),
  /** The bot's app key (Viber: More > Settings > Bots > Edit Info > Your app key). */
  authToken: z.string().min(16, "the bot's auth token (app key)"),
  /** Shown as the sender of every message (`sender.name`). */
  senderName: z.string().min(1).max(VIBER_MAX_SENDER_NAME),
  /** The bot's avatar on each message (`sender.avatar`, at most 100 KB, 720x720 recommended). */
  senderAvatar: z.url({ protocol: /^https$/ }).optional(),
  /** Where the Bot API lives; only tests point it elsewhere (at a local fake). */
  apiBaseUrl: z.url({ protocol: /^https?$/ }).default(VIBER_API_BASE_URL),
});
export type ViberAccount = z.infer<typeof ViberAccount>;

/**
 * The API base without a trailing slash, so endpoint paths can be appended.
 * @see https://creators.viber.com/docs/bots-api/resources/messaging/send-message
 */
export function viberApiBase(account: ViberAccount): string {
  return account.apiBaseUrl.replace(/\/+$/, "");
}
