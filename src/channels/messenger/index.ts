import { readJson } from "../http";
import type { ActionResult, ChannelAdapter, SendResult } from "../types";
import { MessengerAccount } from "./account";
import { graphError } from "../meta/graph-error";
import { classifySendResponse } from "./errors";
import { parseMessengerWebhook } from "./inbound";
import { fetchMessengerMedia } from "./media";
import {
  MESSENGER_CONTENT_TYPES,
  MESSENGER_MAX_CAPTION,
  MESSENGER_MAX_QUICK_REPLIES,
  MESSENGER_MAX_QUICK_REPLY_TITLE,
  MESSENGER_MAX_TEXT,
  MESSENGER_URL_BUTTON,
  renderMessengerAction,
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
    urlButton: MESSENGER_URL_BUTTON,
    maxCaptionLength: MESSENGER_MAX_CAPTION,
    quotedReplies: true,
    messageTags: true,
    /** Sender actions. @see https://developers.facebook.com/docs/messenger-platform/send-messages/sender-actions */
    actions: ["typing_on", "typing_off", "mark_read"],
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
  async send(message, peer, account, ctx) {
    const { content } = message;
    // A split message quotes on its first part only.
    const replyTo = ctx.part === 0 ? message.replyTo : undefined;
    const body = renderMessengerMessage(peer, content, account, { ...(replyTo && { replyTo }), ...(message.tag && { tag: message.tag }) });
    if (!body) {
      return { kind: "failed", error: { reason: "unsupported_content", detail: `Messenger cannot render ${content.type}` } };
    }
    const res = await postMessages(account, body);
    const answer = await readJson(res);
    if (content.type === "reaction") return reactionResult(res, answer, content.messageId);
    return classifySendResponse(res, answer);
  },
  /** @see https://developers.facebook.com/docs/messenger-platform/send-messages/sender-actions */
  async act(action, peer, account): Promise<ActionResult> {
    const res = await postMessages(account, renderMessengerAction(peer, action));
    const answer = await readJson(res);
    if (res.ok && !graphError(answer)) return { kind: "ok" };
    const result = classifySendResponse(res, answer);
    return result.kind === "ok" ? { kind: "ok" } : result;
  },
} satisfies ChannelAdapter<MessengerAccount>;

/** `POST /{page-id}/messages`: messages and sender actions all go there. */
function postMessages(account: MessengerAccount, body: Record<string, unknown>): Promise<Response> {
  return platformFetch(`${account.apiBaseUrl}/${account.apiVersion}/${encodeURIComponent(account.pageId)}/messages`, {
    method: "POST",
    // The token goes in the header, never in the URL, so that it appears in no access log.
    headers: { authorization: `Bearer ${account.pageAccessToken}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(account.timeoutMs),
  });
}

/**
 * A reaction is a sender action, answered with the recipient and no `message_id` of its own: success is
 * recorded under the reacted message's id, marked as a reaction.
 */
function reactionResult(res: Response, answer: unknown, mid: string): SendResult {
  if (res.ok && !graphError(answer)) {
    const own = (answer as { message_id?: unknown } | undefined)?.message_id;
    return { kind: "ok", platformMessageId: typeof own === "string" && own ? own : `reaction:${mid}` };
  }
  return classifySendResponse(res, answer);
}
