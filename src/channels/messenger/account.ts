import * as z from "zod";
import { AccountRate } from "../rate";
import { MessageTag, Slug, WindowPolicy } from "../../model";

/** Meta's Graph API, which serves the Send API. */
export const GRAPH_API_BASE_URL = "https://graph.facebook.com";
/**
 * The Graph API version the relay was written against; accounts may pin another.
 * @see https://developers.facebook.com/docs/graph-api/guides/versioning
 */
export const DEFAULT_GRAPH_API_VERSION = "v23.0";
/** How long one Send API call may take before the attempt counts as failed (and is retried). */
export const DEFAULT_SEND_TIMEOUT_MS = 10_000;

/**
 * `messaging_type` of a Send API request: `RESPONSE` answers a customer within the 24-hour window,
 * `UPDATE` is a proactive message within it, `MESSAGE_TAG` sends outside it under one of the tags.
 * @see https://developers.facebook.com/docs/messenger-platform/send-messages#messaging_types
 */
export const MessagingType = z.enum(["RESPONSE", "UPDATE", "MESSAGE_TAG"]);

/**
 * A Facebook Page reached through the Messenger Platform: the Send API for outbound messages, and the
 * app's webhook (`object: "page"`) for inbound ones.
 * @see https://developers.facebook.com/docs/messenger-platform/overview
 */
export const MessengerAccount = z
  .object({
    id: Slug,
    channel: z.literal("messenger"),
    /** Overrides the channel's default send rate. */
    rate: AccountRate.optional(),
    /** Sends outside the messaging window: refused (`enforce`, the default) or queued with a warning (`advise`). */
    windowPolicy: WindowPolicy.optional(),
    /** The Page's id: messages are sent from it, and webhook entries for other Pages are skipped. */
    pageId: z.string().regex(/^\d{1,32}$/, "the numeric id of the Facebook Page"),
    /** A Page access token with `pages_messaging`; sent only in the Authorization header. */
    pageAccessToken: z.string().min(1),
    /** The Meta app's secret: webhooks are signed with it (`X-Hub-Signature-256`). */
    appSecret: z.string().min(1),
    /** The token the app's webhook settings send in the subscription handshake. */
    verifyToken: z.string().min(1),
    apiVersion: z
      .string()
      .regex(/^v\d+\.\d+$/, "a Graph API version such as v23.0")
      .default(DEFAULT_GRAPH_API_VERSION),
    /** Where the Graph API is; tests point it at a local fake. */
    apiBaseUrl: z
      .url({ protocol: /^https?$/ })
      .transform((u) => u.replace(/\/+$/, ""))
      .default(GRAPH_API_BASE_URL),
    /** `RESPONSE` unless set; with `tag`, `MESSAGE_TAG` is implied. */
    messagingType: MessagingType.optional(),
    /** Send every message with this tag (e.g. `HUMAN_AGENT` for a support team answering within 7 days). */
    tag: MessageTag.optional(),
    timeoutMs: z.number().int().min(100).max(120_000).default(DEFAULT_SEND_TIMEOUT_MS),
  })
  .superRefine((a, ctx) => {
    if (a.messagingType === "MESSAGE_TAG" && !a.tag) {
      ctx.addIssue({ code: "custom", path: ["tag"], message: "messagingType MESSAGE_TAG needs a tag" });
    }
    if (a.tag && a.messagingType && a.messagingType !== "MESSAGE_TAG") {
      ctx.addIssue({ code: "custom", path: ["messagingType"], message: "a tag is only sent with messagingType MESSAGE_TAG" });
    }
  });
export type MessengerAccount = z.infer<typeof MessengerAccount>;
