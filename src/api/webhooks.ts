import { Hono } from "hono";
import { adapterFor } from "../channels/registry";
import type { BaseAccount, ChannelAdapter, ParsedEvent, ParseResult, WebhookRequest } from "../channels/types";
import { registryAccount, tenantAccounts, tenantEndpoints } from "../registry/directory";
import { toInboundEvent } from "../delivery/events";
import { ProblemError } from "../errors";
import { jsonDeeperThan, JsonTooDeepError, MAX_WEBHOOK_JSON_DEPTH } from "../json";
import { TooLargeError } from "../transport/errors";
import { ChannelId, type ConversationAddress, type InboundEvent } from "../model";
import type { CustomerNote } from "../delivery/conversation-facts";
import type { ConversationStatuses } from "../delivery/conversation-statuses";
import { conversationOutbox, conversationShardId } from "../delivery/conversation-shards";
import { customerOf, noteOf, resolveAliases } from "../delivery/customers";
import { limitBody, MAX_WEBHOOK_BODY_BYTES } from "./body";
import type { AppContext, AppEnv } from "./context";
import { mediaTokenSecret, signMediaToken } from "./media-tokens";

type StatusEvent = Extract<ParsedEvent, { type: "message.status" }>;

/** Outbox shards a webhook's events are stored into at once: bounded, whatever the batch size. */
const PARALLEL_SHARDS = 16;
/** How long storing one webhook's events may take before the platform is asked to deliver it again (Meta waits about 20 s). */
const STORE_BUDGET_MS = 15_000;

/**
 * Platform webhooks: `/webhooks/{channel}/{accountId}`. The request is verified on its raw bytes, parsed
 * into unified events, and acknowledged with 200 only once every event is stored: statuses in their
 * conversation (which forwards them in order), everything else in the outboxes of the tenant's endpoints.
 */
export const webhooksApi = new Hono<AppEnv>();
// Some platforms call a fixed path below the registered URL (Apple: `<base>/message`).
for (const path of ["/webhooks/:channel/:accountId", "/webhooks/:channel/:accountId/*"]) {
  webhooksApi.all(path, limitBody(MAX_WEBHOOK_BODY_BYTES), (c) => receiveWebhook(c));
}

async function receiveWebhook(c: AppContext): Promise<Response> {
  const channel = ChannelId.safeParse(c.req.param("channel"));
  const notFound = () => new ProblemError(404, "unknown_webhook", "No such webhook: check the channel and account id in the URL.");
  if (!channel.success) throw notFound();
  const found = await registryAccount(c.env, c.req.param("accountId") ?? "");
  if (!found || found.account.channel !== channel.data) throw notFound();
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
  // Checked on the bytes before anything parses them (gzip bodies are checked once inflated).
  if (jsonDeeperThan(request.body, MAX_WEBHOOK_JSON_DEPTH)) throw tooDeep();

  // Meta sends every number's or Page's events to an app's one callback URL: items for the tenant's
  // other accounts of the channel go to them, when the request authenticates for them too.
  const parsed = [{ account, result: await parseBounded(adapter, request, account) }];
  if (parsed[0]!.result.foreign) {
    for (const { id, channel } of await tenantAccounts(c.env, tenant)) {
      if (channel !== account.channel || id === account.id) continue;
      const sibling = (await registryAccount(c.env, id))?.account;
      if (!sibling || !(await adapter.verify(request, sibling))) continue;
      const result = await parseBounded(adapter, request, sibling);
      if (result.events.length > 0) parsed.push({ account: sibling, result });
    }
  }
  const problems = parsed.flatMap((p) => p.result.problems);
  if (problems.length > 0) console.warn(`webhook ${channel.data}/${account.id}: skipped ${problems.slice(0, 20).join("; ")}`);
  const deadline = Date.now() + STORE_BUDGET_MS;
  let received = 0;
  for (const p of parsed) {
    received += await storeEvents(c, adapter, { tenant, channel: channel.data, account: p.account.id }, p.result.events, deadline);
  }
  return c.json({ received, skipped: problems.length });
}

/**
 * Whether a Durable Object call failed for lack of resources rather than a bug in the relay: retryable,
 * overloaded or reset objects, the runtime's internal errors, SQLite out of memory or busy.
 * @see https://developers.cloudflare.com/durable-objects/best-practices/error-handling/
 */
function storageExhausted(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const flags = e as { retryable?: unknown; overloaded?: unknown; durableObjectReset?: unknown };
  return (
    flags.retryable === true ||
    flags.overloaded === true ||
    flags.durableObjectReset === true ||
    // workerd's own failures reach the caller as "internal error; reference = ..."
    /^internal error|SQLITE_(NOMEM|BUSY|FULL)/.test(e.message)
  );
}

const tooDeep = () =>
  new ProblemError(422, "json_too_deep", `The body nests deeper than ${MAX_WEBHOOK_JSON_DEPTH} levels; no platform sends that.`);

/** Parses a verified request; a body that inflates too far or nests too deep is the request's fault (413, 422). */
async function parseBounded(adapter: ChannelAdapter<BaseAccount>, request: WebhookRequest, account: BaseAccount): Promise<ParseResult> {
  try {
    return await adapter.parse(request.body, account, request.headers);
  } catch (e) {
    if (e instanceof TooLargeError) throw new ProblemError(413, "body_too_large", `The body inflates beyond what the relay reads: ${e.message}.`);
    if (e instanceof JsonTooDeepError) throw tooDeep();
    throw e;
  }
}

/**
 * Stores one account's events before the platform is acknowledged, in the outbox shards of their
 * conversations: one call per shard (a bounded number at a time) records what customers did, applies
 * statuses to their messages and stages every event, in order; each shard then hands its events on to
 * the tenant's endpoints in order. Past `deadline` the request answers 503: what was stored is
 * deduplicated when the platform delivers the batch again, and the rest is stored then. Returns how
 * many were stored.
 */
async function storeEvents(
  c: AppContext,
  adapter: ChannelAdapter<BaseAccount>,
  base: Omit<ConversationAddress, "peer">,
  events: ParsedEvent[],
  deadline: number,
): Promise<number> {
  // A customer known by another identity first keeps that conversation.
  await resolveAliases(c.env, base, events.filter((e) => e.type !== "message.status" && e.type !== "channel.error"), customerOf);
  const shards = new Map<string, { address: ConversationAddress; notes: CustomerNote[]; statuses: ConversationStatuses[]; events: InboundEvent[] }>();
  const shardOf = (address: ConversationAddress) => {
    const key = conversationShardId(c.env, address).toString();
    return shards.get(key) ?? shards.set(key, { address, notes: [], statuses: [], events: [] }).get(key)!;
  };
  // Statuses by conversation: each conversation's in the order they came.
  const byPeer = new Map<string, ConversationStatuses>();
  const others: Exclude<ParsedEvent, StatusEvent>[] = [];
  for (const e of events) {
    if (e.type !== "message.status") {
      others.push(e);
      continue;
    }
    let conversation = byPeer.get(e.peer);
    if (!conversation) {
      conversation = { address: { ...base, peer: e.peer }, statuses: [] };
      byPeer.set(e.peer, conversation);
      shardOf(conversation.address).statuses.push(conversation);
    }
    conversation.statuses.push(e);
  }
  if (others.length > 0 && (await tenantEndpoints(c.env, base.tenant)).length === 0) {
    throw new ProblemError(503, "no_endpoint", "The account's tenant has no endpoint yet: deliver again once it has one.", {}, { "retry-after": "60" });
  }
  const origin = new URL(c.req.url).origin;
  const secret = await mediaTokenSecret(c.env);
  for (const e of others) {
    const event = toInboundEvent(e, base);
    // Media the business fetches from the relay, so platform credentials never leave it.
    if ((event.type === "message.received" || event.type === "message.edited") && "mediaId" in event.message.content && event.message.content.mediaId && adapter.fetchMedia) {
      const token = await signMediaToken(secret, { account: base.account, mediaId: event.message.content.mediaId });
      event.message.content.url = `${origin}/v1/media/${token}`;
    }
    const shard = shardOf(event.conversation);
    shard.events.push(event);
    // What customers did decides their messaging window: recorded with the events.
    const note = event.type !== "channel.error" && event.type !== "account.health" && event.type !== "message.status" ? noteOf(event) : undefined;
    if (note) shard.notes.push(note);
  }
  const pending = [...shards.values()];
  const storeShards = async () => {
    for (let next = pending.shift(); next; next = pending.shift()) {
      const { address, ...batch } = next;
      if (Date.now() > deadline) throw storageBusy();
      try {
        await conversationOutbox(c.env, address).receive(batch);
      } catch (e) {
        // Storage out of room for now is the platform's cue to deliver again.
        throw storageExhausted(e) ? storageBusy() : e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_SHARDS, pending.length) }, storeShards));
  return events.length;
}

const storageBusy = () =>
  new ProblemError(503, "storage_busy", "The batch is large; part of it is stored. Deliver it again to store the rest.", {}, { "retry-after": "1" });
