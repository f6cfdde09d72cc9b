import { Hono } from "hono";
import { adapterFor } from "../channels/registry";
import type { BaseAccount, ChannelAdapter, ParsedEvent } from "../channels/types";
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

  // Meta sends every number's or Page's events to an app's one callback URL: items for the tenant's
  // other accounts of the channel go to them, when the request authenticates for them too.
  const first = await adapter.parse(request.body, account, request.headers);
  const parsed = [{ account, result: first }];
  if (first.foreign) {
    for (const sibling of tenant.accounts) {
      if (sibling.channel !== account.channel || sibling.id === account.id) continue;
      if (!(await adapter.verify(request, sibling))) continue;
      const result = await adapter.parse(request.body, sibling, request.headers);
      if (result.events.length > 0) parsed.push({ account: sibling, result });
    }
  }
  const problems = parsed.flatMap((p) => p.result.problems);
  if (problems.length > 0) console.warn(`webhook ${channel.data}/${account.id}: skipped ${problems.join("; ")}`);
  const received = await Promise.all(
    parsed.map((p) => storeEvents(c, adapter, { tenant: tenant.id, channel: channel.data, account: p.account.id }, p.result.events)),
  );
  return c.json({ received: received.reduce((a, b) => a + b, 0), skipped: problems.length });
}

/**
 * Stores one account's events before the platform is acknowledged: statuses in their conversations
 * (which forward them in order), everything else in the tenant's endpoint outbox. Returns how many.
 */
async function storeEvents(
  c: AppContext,
  adapter: ChannelAdapter<BaseAccount>,
  base: Omit<ConversationAddress, "peer">,
  events: ParsedEvent[],
): Promise<number> {
  const statusesByPeer = new Map<string, StatusEvent[]>();
  const others: Exclude<ParsedEvent, StatusEvent>[] = [];
  for (const e of events) {
    if (e.type === "message.status") statusesByPeer.set(e.peer, [...(statusesByPeer.get(e.peer) ?? []), e]);
    else others.push(e);
  }
  const endpoint = c.env.ENDPOINTS.get(c.env.ENDPOINTS.idFromName(base.tenant));
  const origin = new URL(c.req.url).origin;
  const secret = loadConfig(c.env).config.media.tokenSecret;
  const unified = await Promise.all(
    others.map(async (e) => {
      const event = toInboundEvent(e, base);
      // Media the business fetches from the relay, so platform credentials never leave it.
      if (event.type === "message.received" && "mediaId" in event.message.content && event.message.content.mediaId && adapter.fetchMedia) {
        const token = await signMediaToken(secret, { account: base.account, mediaId: event.message.content.mediaId });
        event.message.content.url = `${origin}/v1/media/${token}`;
      }
      return event;
    }),
  );
  await Promise.all([
    unified.length > 0 ? endpoint.enqueue(base.tenant, unified) : undefined,
    ...[...statusesByPeer].map(([peer, statuses]) => {
      const address: ConversationAddress = { ...base, peer };
      const conversation = c.env.CONVERSATIONS.get(c.env.CONVERSATIONS.idFromName(conversationKey(address)));
      return conversation.applyStatuses(address, statuses);
    }),
  ]);
  return events.length;
}
