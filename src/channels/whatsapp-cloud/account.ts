import * as z from "zod";
import { AccountRate } from "../rate";
import { WindowPolicy } from "../../model";
import { Slug } from "../../model";

/** Meta's Graph API, which serves the WhatsApp Cloud API. */
export const GRAPH_API_BASE_URL = "https://graph.facebook.com";
/**
 * The Graph API version the relay speaks unless an account pins another. Meta keeps a version for about
 * two years; the payloads the relay reads have been stable across v17 to v23.
 * @see https://developers.facebook.com/docs/graph-api/changelog/versions
 */
export const DEFAULT_GRAPH_API_VERSION = "v23.0";

/**
 * A WhatsApp business phone number on Meta's Cloud API.
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/get-started
 */
export const WhatsAppCloudAccount = z.object({
  id: Slug,
  channel: z.literal("whatsapp-cloud"),
  /** Overrides the channel's default send rate. */
  rate: AccountRate.optional(),
  /** Sends outside the messaging window: refused (`enforce`, the default) or queued with a warning (`advise`). */
  windowPolicy: WindowPolicy.optional(),
  /** The business phone number's id in the Graph API (not the number itself): WhatsApp Manager → API Setup. */
  phoneNumberId: z.string().regex(/^\d{1,32}$/, "the numeric phone number id from WhatsApp Manager"),
  /** A system-user access token with `whatsapp_business_messaging`, sent as `Authorization: Bearer`. */
  accessToken: z.string().min(1),
  /** The Meta app's secret: Meta signs every webhook with it (`X-Hub-Signature-256`). */
  appSecret: z.string().min(16, "the Meta app secret (App settings → Basic)"),
  /** The token chosen when registering the webhook; Meta echoes it in the subscription handshake. */
  verifyToken: z.string().min(8, "use at least 8 random characters"),
  /** Graph API version, e.g. `v23.0`. */
  apiVersion: z
    .string()
    .regex(/^v\d+\.\d+$/, "a Graph API version such as v23.0")
    .default(DEFAULT_GRAPH_API_VERSION),
  /** Where the Graph API is; only tests and proxies change it. Media URLs are fetched only from Meta's hosts or this one. */
  apiBaseUrl: z.url({ protocol: /^https?$/ }).default(GRAPH_API_BASE_URL),
  /** The business's phone number, for display. */
  phoneNumber: z.string().optional(),
  /** How long one API call may take. */
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
});
export type WhatsAppCloudAccount = z.infer<typeof WhatsAppCloudAccount>;

/**
 * `{apiBaseUrl}/{apiVersion}` without a doubled slash: every Cloud API path hangs below it.
 * @see https://developers.facebook.com/docs/graph-api/overview#versions
 */
export function graphRoot(account: WhatsAppCloudAccount): string {
  return `${account.apiBaseUrl.replace(/\/+$/, "")}/${account.apiVersion}`;
}
