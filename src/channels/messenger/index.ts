import { readJson } from "../http";
import type { ChannelAdapter, SendResult } from "../types";
import { MessengerAccount } from "./account";
import { classifySendResponse } from "./errors";
import { parseMessengerWebhook } from "./inbound";
import { fetchMessengerMedia } from "./media";
import {
  MESSENGER_CONTENT_TYPES,
  MESSENGER_MAX_CAPTION,
  MESSENGER_MAX_QUICK_REPLIES,
  MESSENGER_MAX_QUICK_REPLY_TITLE,
  MESSENGER_MAX_TEXT,
  renderMessengerMessage,
} from "./outbound";
import { messengerHandshake, verifyMessengerWebhook } from "./verify";
import { platformFetch } from "../../transport/platform-fetch";

/** A Page-scoped user id (PSID): digits only. */
const PSID = /^\d{1,32}$/;

/**
 * A Messenger recipient: the customer's Page-scoped id (PSID) as the webhooks give it. Spaces around it
 * are dropped; anything but digits is not a PSID.
 * @see https://developers.facebook.com/docs/messenger-platform/identity/user-profile
 */
export function normalizeMessengerPeer(raw: string): string | null {
  const psid = raw.trim();
  return PSID.test(psid) ? psid : null;
}

/**
 * Reads and classifies the Send API's answer to one send: ok with the `message_id`, retry later, or
 * failed with a stable reason.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/send-api#response
 * @see https://developers.facebook.com/docs/messenger-platform/reference/send-api/error-codes
 */
export async function classifyMessengerAnswer(res: Response): Promise<SendResult> {
  return classifySendResponse(res, await readJson(res));
}

/**
 * Facebook Messenger through a Page: the Send API out, the app's `page` webhook in.
 * @see https://developers.facebook.com/docs/messenger-platform
 */
export const messenger = {
  channel: "messenger" as const,
  accountSchema: MessengerAccount,
  secretFields: ["pageAccessToken", "appSecret", "verifyToken"],
  capabilities: {
    maxTextLength: MESSENGER_MAX_TEXT,
    contentTypes: MESSENGER_CONTENT_TYPES,
    buttons: { max: MESSENGER_MAX_QUICK_REPLIES, maxTitleLength: MESSENGER_MAX_QUICK_REPLY_TITLE, maxTextLength: MESSENGER_MAX_TEXT },
    maxCaptionLength: MESSENGER_MAX_CAPTION,
    receipts: true,
    /** @see https://developers.facebook.com/docs/messenger-platform/overview/rate-limiting (300 calls/s per Page) */
    rate: { perSecond: 300 },
  },
  normalizePeer: normalizeMessengerPeer,
  handshake: messengerHandshake,
  verify: verifyMessengerWebhook,
  parse: (body, account) => parseMessengerWebhook(body, account),
  fetchMedia: (mediaId, account, ctx) => fetchMessengerMedia(mediaId, account, ctx.urlPolicy),
  /** @see https://developers.facebook.com/docs/messenger-platform/reference/send-api */
  async send(message, peer, account) {
    const body = renderMessengerMessage(peer, message.content, account);
    if (!body) {
      return { kind: "failed", error: { reason: "unsupported_content", detail: `Messenger cannot render ${message.content.type}` } };
    }
    const url = `${account.apiBaseUrl}/${account.apiVersion}/${encodeURIComponent(account.pageId)}/messages`;
    const res = await platformFetch(url, {
      method: "POST",
      // The token goes in the header, never in the URL, so that it appears in no access log.
      headers: { authorization: `Bearer ${account.pageAccessToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(account.timeoutMs),
    });
    return classifyMessengerAnswer(res);
  },
} satisfies ChannelAdapter<MessengerAccount>;
