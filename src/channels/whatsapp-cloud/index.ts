import { readJson } from "../http";
import type { ChannelAdapter } from "../types";
import { normalizeWhatsAppPeer } from "../whatsapp/peer";
import { WHATSAPP_CAPABILITIES, WHATSAPP_URL_BUTTON } from "../whatsapp/messages";
import { graphRoot, WhatsAppCloudAccount } from "./account";
import { classifyCloudAction, renderCloudAction } from "./actions";
import { classifyCloudSendResponse } from "./errors";
import { parseCloudWebhook } from "./inbound";
import { fetchCloudMedia } from "./media";
import { refuseCloudContent, renderCloudMessage } from "./outbound";
import { cloudHandshake, verifyCloudWebhook } from "./verify";
import { platformFetch } from "../../transport/platform-fetch";

/** How long one send may take before delivery retries it. */
export const SEND_TIMEOUT_MS = 15_000;

const capabilities = {
  ...WHATSAPP_CAPABILITIES,
  contentTypes: [...WHATSAPP_CAPABILITIES.contentTypes, "url_button"],
  urlButton: WHATSAPP_URL_BUTTON,
  /** A read receipt, and a typing indicator that goes with one; both for a given customer message. */
  actions: ["mark_read", "typing_on"],
  actionsNeedMessageId: ["mark_read", "typing_on"],
  /** 80 messages/s per number by default; set `rate.perSecond` to 1000 once Meta upgrades the number. @see https://developers.facebook.com/docs/whatsapp/throughput */
  rate: { perSecond: 80 },
} as const;

/**
 * WhatsApp through Meta's Cloud API (Graph API): the same WhatsApp model as the On-Premises channel,
 * with Meta-signed webhooks and a static system-user token.
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api
 */
export const whatsappCloud = {
  channel: "whatsapp-cloud" as const,
  accountSchema: WhatsAppCloudAccount,
  secretFields: ["accessToken", "appSecret", "verifyToken"],
  capabilities,
  /** A phone number in international format (digits only) or a business-scoped user id, kept as given. */
  normalizePeer: normalizeWhatsAppPeer,
  refuse: (content) => refuseCloudContent(content, capabilities),
  handshake: cloudHandshake,
  verify: verifyCloudWebhook,
  parse: (body, account) => parseCloudWebhook(body, account),
  fetchMedia: (mediaId, account, ctx) => fetchCloudMedia(mediaId, account, ctx.urlPolicy),
  /** @see https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages */
  async send(message, peer, account, ctx) {
    // A split message quotes on its first part only.
    const body = renderCloudMessage(peer, message.content, ctx.part === 0 ? message.replyTo : undefined);
    const res = await postMessages(account, body);
    return classifyCloudSendResponse(res, await readJson(res));
  },
  /** @see https://developers.facebook.com/docs/whatsapp/cloud-api/typing-indicators */
  async act(action, _peer, account) {
    const body = renderCloudAction(action);
    if (!body) return { kind: "failed", error: { reason: "unsupported_content", detail: `the Cloud API cannot do ${action.type} without a message id` } };
    const res = await postMessages(account, body);
    return classifyCloudAction(res, await readJson(res));
  },
} satisfies ChannelAdapter<WhatsAppCloudAccount>;

/** `POST /{phone-number-id}/messages`: messages, read receipts and typing indicators all go there. */
function postMessages(account: WhatsAppCloudAccount, body: Record<string, unknown>): Promise<Response> {
  return platformFetch(`${graphRoot(account)}/${encodeURIComponent(account.phoneNumberId)}/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${account.accessToken}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(account.timeoutMs ?? SEND_TIMEOUT_MS),
  });
}
