import { Hono } from "hono";
import { adapterFor } from "../channels/registry";
import type { ParsedEvent } from "../channels/types";
import { loadConfig } from "../config/load";
import { toInboundEvent } from "../delivery/events";
import { ProblemError } from "../errors";
import { ChannelId, conversationKey, type ConversationAddress } from "../model";
import { limitBody, MAX_WEBHOOK_BODY_BYTES } from "./body";
import type { AppContext, AppEnv } from "./context";
import { signMediaToken } from "./media-tokens";

type StatusEvent = Extract<ParsedEvent, { type: "message.status" }>;

/**
 * Platform webhooks: `/webhooks/{channel}/{accountId}`. The request is verified on its raw bytes, parsed
 * into unified events, and acknowledged with 200 only once every event is stored: statuses in their
 * conversation (which forwards them in order), everything else in the tenant's endpoint outbox.
 */
export const webhooksApi = new Hono<AppEnv>();
// Some platforms call a fixed path below the registered URL (Apple: `<base>/message`).
for (const path of ["/webhooks/:channel/:accountId", "/webhooks/:channel/:accountId/*"]) {
  webhooksApi.all(path, limitBody(MAX_WEBHOOK_BODY_BYTES), (c) => receiveWebhook(c));
}

async function receiveWebhook(c: AppContext): Promise<Response> {
  const channel = ChannelId.safeParse(c.req.param("channel"));
  const notFound = new ProblemError(404, "unknown_webhook", "No such webhook: check the channel and account id in the URL.");
  if (!channel.success) throw notFound;
  const found = loadConfig(c.env).account(c.req.param("accountId") ?? "");
  if (!found || found.account.channel !== channel.data) throw notFound;
  const { tenant, account } = found;
  const adapter = adapterFor(channel.data);

  const request = {
    method: c.req.method,
    url: new URL(c.req.url),
    headers: c.req.raw.headers,
    body: new Uint8Array(await c.req.arrayBuffer()),
  };
  const handshake = await adapter.handshake?.(request, account);
  if (handshake) return handshake;
  if (c.req.method !== "POST") throw new ProblemError(405, "method_not_allowed", "Webhooks are POSTed.");
  if (!(await adapter.verify(request, account))) {
    throw new ProblemError(401, "invalid_signature", "The webhook could not be authenticated.");
  }

  const { events, problems } = await adapter.parse(request.body, account, request.headers);
  if (problems.length > 0) console.warn(`webhook ${channel.data}/${account.id}: skipped ${problems.join("; ")}`);

  const base = { tenant: tenant.id, channel: channel.data, account: account.id };
  const statusesByPeer = new Map<string, StatusEvent[]>();
  const others: Exclude<ParsedEvent, StatusEvent>[] = [];
  for (const e of events) {
    if (e.type === "message.status") statusesByPeer.set(e.peer, [...(statusesByPeer.get(e.peer) ?? []), e]);
    else others.push(e);
  }
  const endpoint = c.env.ENDPOINTS.get(c.env.ENDPOINTS.idFromName(tenant.id));
  const origin = new URL(c.req.url).origin;
  const secret = loadConfig(c.env).config.media.tokenSecret;
  const unified = await Promise.all(
    others.map(async (e) => {
      const event = toInboundEvent(e, base);
      // Media the business fetches from the relay, so platform credentials never leave it.
      if (event.type === "message.received" && "mediaId" in event.message.content && event.message.content.mediaId && adapter.fetchMedia) {
        const token = await signMediaToken(secret, { account: account.id, mediaId: event.message.content.mediaId });
        event.message.content.url = `${origin}/v1/media/${token}`;
      }
      return event;
    }),
  );
  await Promise.all([
    unified.length > 0 ? endpoint.enqueue(tenant.id, unified) : undefined,
    ...[...statusesByPeer].map(([peer, statuses]) => {
      const address: ConversationAddress = { ...base, peer };
      const conversation = c.env.CONVERSATIONS.get(c.env.CONVERSATIONS.idFromName(conversationKey(address)));
      return conversation.applyStatuses(address, statuses);
    }),
  ]);
  return c.json({ received: events.length, skipped: problems.length });
}
