import { originFetch } from "../../transport/origin";
import { readJson } from "../http";
import type { ChannelAdapter, SendContext } from "../types";
import { WhatsAppOnPremAccount } from "./account";
import { classifyOnPremAction, renderOnPremAction } from "./actions";
import { classifySendResponse } from "./errors";
import { parseOnPremWebhook } from "./inbound";
import { WHATSAPP_CAPABILITIES } from "../whatsapp/messages";
import { normalizeWhatsAppPeer } from "../whatsapp/peer";
import { renderOnPremMessage } from "./outbound";
import { loginToContainer } from "./session";
import { verifyOnPremWebhook } from "./verify";

/**
 * One call to the container with the account's login token; a 401 logs in again (once for every
 * conversation asking) and repeats the call. The answer may still be a 401 when even a fresh token is refused.
 */
async function callContainer(account: WhatsAppOnPremAccount, ctx: SendContext, path: string, init: RequestInit = {}): Promise<Response> {
  const call = originFetch(account.container, ctx.env);
  const withToken = (token: string) => {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${token}`);
    return call(path, { ...init, headers });
  };
  const token = await ctx.token();
  const res = await withToken(token);
  if (res.status !== 401) return res;
  await res.body?.cancel();
  return withToken(await ctx.renewToken(token));
}

/** Why a send or an action is retried when the container refuses even a token it just issued. */
const FRESH_TOKEN_REFUSED = "container rejected a fresh login token";

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
    // No call-to-action URL button: the container's interactive types are buttons and lists (and
    // products), so a URL button becomes a text with its link.
    /** The container has read receipts but no typing indicator. @see https://developers.facebook.com/docs/whatsapp/api/messages/mark-as-read */
    actions: ["mark_read"],
    actionsNeedMessageId: ["mark_read"],
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
  fetchMedia: (mediaId, account, ctx) => callContainer(account, ctx, `/v1/media/${encodeURIComponent(mediaId)}`),
  async send(message, peer, account, ctx) {
    // A split message quotes on its first part only.
    const replyTo = ctx.part === 0 ? message.replyTo : undefined;
    const body = JSON.stringify(renderOnPremMessage(peer, message.content, account.container.templateNamespace, replyTo));
    // The container ignores it, but a proxy in front of it (or the sandbox) can drop a repeat that a
    // timeout or a crash of the relay made, to turn at-least-once into exactly-once.
    const idempotencyKey = `${message.id}:${ctx.part}`;
    const res = await callContainer(account, ctx, "/v1/messages", {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": idempotencyKey },
      body,
    });
    if (res.status === 401) {
      await res.body?.cancel();
      return { kind: "retry", detail: FRESH_TOKEN_REFUSED };
    }
    return classifySendResponse(res, await readJson(res));
  },
  /** @see https://developers.facebook.com/docs/whatsapp/api/messages/mark-as-read */
  async act(action, _peer, account, ctx) {
    const request = renderOnPremAction(action);
    if (!request) return { kind: "failed", error: { reason: "unsupported_content", detail: `the container cannot do ${action.type}` } };
    const res = await callContainer(account, ctx, request.path, request.init);
    if (res.status === 401) {
      await res.body?.cancel();
      return { kind: "retry", detail: FRESH_TOKEN_REFUSED };
    }
    return classifyOnPremAction(res, await readJson(res));
  },
} satisfies ChannelAdapter<WhatsAppOnPremAccount>;
