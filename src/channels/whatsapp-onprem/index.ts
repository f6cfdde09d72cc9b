import { originFetch } from "../../transport/origin";
import { readJson } from "../http";
import type { ChannelAdapter } from "../types";
import { WhatsAppOnPremAccount } from "./account";
import { classifySendResponse } from "./errors";
import { parseOnPremWebhook } from "./inbound";
import { WHATSAPP_CAPABILITIES } from "../whatsapp/messages";
import { normalizeWhatsAppPeer } from "../whatsapp/peer";
import { renderOnPremMessage } from "./outbound";
import { loginToContainer } from "./session";
import { verifyOnPremWebhook } from "./verify";

/**
 * WhatsApp through the business's self-hosted WhatsApp Business API container (On-Premises REST API).
 * @see https://developers.facebook.com/docs/whatsapp/on-premises
 */
export const whatsappOnPrem = {
  channel: "whatsapp" as const,
  accountSchema: WhatsAppOnPremAccount,
  secretFields: ["container.password", "container.transport.clientSecret", "webhook.secret"],
  capabilities: {
    ...WHATSAPP_CAPABILITIES,
    /** What Meta observed from a tuned multiconnect deployment; a smaller one sets less. @see https://developers.facebook.com/docs/whatsapp/guides/high-throughput */
    rate: { perSecond: 250 },
  },
  normalizePeer: normalizeWhatsAppPeer,
  refuse(content, account) {
    if (content.type === "template" && !content.namespace && !account.container.templateNamespace) {
      return "WhatsApp On-Premises templates need a namespace: set content.namespace or the account's container.templateNamespace";
    }
    return null;
  },
  verify: verifyOnPremWebhook,
  parse: parseOnPremWebhook,
  login: loginToContainer,
  /** @see https://developers.facebook.com/docs/whatsapp/on-premises/reference/media/media-id */
  async fetchMedia(mediaId, account, ctx) {
    const call = originFetch(account.container, ctx.env);
    const get = (token: string) =>
      call(`/v1/media/${encodeURIComponent(mediaId)}`, { headers: { authorization: `Bearer ${token}` } });
    const token = await ctx.token();
    const res = await get(token);
    if (res.status !== 401) return res;
    await res.body?.cancel();
    return get(await ctx.renewToken(token));
  },
  async send(message, peer, account, ctx) {
    const call = originFetch(account.container, ctx.env);
    const body = JSON.stringify(renderOnPremMessage(peer, message.content, account.container.templateNamespace));
    // The container ignores it, but a proxy in front of it (or the sandbox) can drop a repeat that a
    // timeout or a crash of the relay made, to turn at-least-once into exactly-once.
    const idempotencyKey = `${message.id}:${ctx.part}`;
    const post = (token: string) =>
      call("/v1/messages", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": idempotencyKey },
        body,
      });
    let token = await ctx.token();
    let res = await post(token);
    if (res.status === 401) {
      await res.body?.cancel();
      token = await ctx.renewToken(token);
      res = await post(token);
    }
    if (res.status === 401) {
      await res.body?.cancel();
      return { kind: "retry", detail: "container rejected a fresh login token" };
    }
    return classifySendResponse(res, await readJson(res));
  },
} satisfies ChannelAdapter<WhatsAppOnPremAccount>;
