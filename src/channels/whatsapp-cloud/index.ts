import { readJson } from "../http";
import type { ChannelAdapter } from "../types";
import { normalizeWhatsAppPeer } from "../whatsapp/peer";
import { WHATSAPP_CAPABILITIES } from "../whatsapp/messages";
import { graphRoot, WhatsAppCloudAccount } from "./account";
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
  async send(message, peer, account) {
    const res = await platformFetch(`${graphRoot(account)}/${encodeURIComponent(account.phoneNumberId)}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${account.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify(renderCloudMessage(peer, message.content)),
      signal: AbortSignal.timeout(account.timeoutMs ?? SEND_TIMEOUT_MS),
    });
    return classifyCloudSendResponse(res, await readJson(res));
  },
} satisfies ChannelAdapter<WhatsAppCloudAccount>;
