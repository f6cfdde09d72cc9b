import { Hono } from "hono";
import * as z from "zod";
import { adapterFor } from "../channels/registry";
import type { ConversationFactsRow } from "../delivery/conversation-facts";
import { conversationOutbox, conversationShard } from "../delivery/conversation-shards";
import { conversationFacts, conversationWindow, factsKey } from "../delivery/customers";
import { CONVERSATION_SHARDS } from "../delivery/shards";
import { ProblemError } from "../errors";
import { type Conversation, type ConversationList, conversationId, parseConversationId } from "../model";
import { registryAccount, tenantAccounts } from "../registry/directory";
import type { AppContext, AppEnv } from "./context";
import { requireAuth } from "./middleware";
import { ConversationsQuery } from "./schemas";
import { readQuery } from "./body";
import { decodeCursor, encodeCursor } from "./cursor";

/** Where a page ends: the last conversation's update time, account and peer (the list's order). */
const Cursor = z.tuple([z.number().int(), z.string(), z.string()]);

/** The public view of a stored conversation. */
function viewOf(row: ConversationFactsRow, now: number): Conversation {
  const { address } = row;
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return {
    id: conversationId(address.account, address.peer),
    account: address.account,
    channel: address.channel,
    peer: address.peer,
    ...(row.customer && { customer: row.customer }),
    ...(row.createdAt !== undefined && { createdAt: iso(row.createdAt) }),
    updatedAt: iso(row.updatedAt)!,
    ...(row.lastInboundAt !== undefined && { lastInboundAt: iso(row.lastInboundAt) }),
    ...(row.lastOutboundAt !== undefined && { lastOutboundAt: iso(row.lastOutboundAt) }),
    ...(row.subscribed !== undefined && { subscribed: row.subscribed }),
    window: conversationWindow(address.channel, row, now),
  };
}

/**
 * One page of the tenant's conversations, in order of their last update (then account, then peer), from
 * every shard of every account asked for: each shard gives at most a page after the cursor, and the
 * merge keeps the first page's worth.
 */
async function listConversations(c: AppContext): Promise<ConversationList> {
  const tenant = c.get("principal").tenant;
  const q = readQuery(c, ConversationsQuery);
  const after = q.cursor ? decodeCursor(q.cursor, Cursor) : undefined;
  const accounts = q.account ? [q.account] : (await tenantAccounts(c.env, tenant)).map((a) => a.id);
  const rows = (
    await Promise.all(
      accounts.map(async (id) => {
        const found = await registryAccount(c.env, id);
        if (!found || found.tenant !== tenant) {
          if (q.account) throw new ProblemError(422, "unknown_account", `There is no account '${id}' in your tenant.`);
          return [];
        }
        const base = { tenant, channel: found.account.channel, account: id };
        const peer = q.peer === undefined ? undefined : adapterFor(found.account.channel).normalizePeer(q.peer);
        if (q.peer !== undefined && !peer) return [];
        // Rows of this account after the cursor: the same time and a later account, or a later peer of this one.
        const sinceCursor = !after || id === after[1] ? 0 : id > after[1] ? after[0] : after[0] + 1;
        const since = Math.max(q.updatedSince ? Date.parse(q.updatedSince) : 0, sinceCursor);
        // One more than a page from each shard: the merge then knows whether anything is left after it.
        const query = { limit: q.limit + 1, ...(since > 0 && { updatedSince: since }), ...(peer && { peer }), ...(after && id === after[1] && { after: { updatedAt: after[0], peer: after[2] } }) };
        const shards = peer ? [{ ...base, peer }] : Array.from({ length: CONVERSATION_SHARDS }, (_, k) => ({ ...base, peer: "", shard: k }));
        const pages = await Promise.all(shards.map((s) => shardOutbox(c, s).conversations(query, tenant)));
        return pages.flat();
      }),
    )
  ).flat();
  rows.sort((a, b) => a.updatedAt - b.updatedAt || (a.address.account < b.address.account ? -1 : a.address.account > b.address.account ? 1 : a.address.peer < b.address.peer ? -1 : 1));
  const page = rows.slice(0, q.limit);
  const now = Date.now();
  const last = page[page.length - 1];
  return {
    conversations: page.map((r) => viewOf(r, now)),
    ...(rows.length > q.limit && last && { next: encodeCursor([last.updatedAt, last.address.account, last.address.peer]) }),
  };
}

/** A shard by its number (for listing every shard), or the shard of a peer. */
function shardOutbox(c: AppContext, s: { tenant: string; channel: Conversation["channel"]; account: string; peer: string; shard?: number }) {
  if (s.shard === undefined) return conversationOutbox(c.env, s);
  return conversationShard(c.env, s.tenant, s.account, s.shard);
}

/** Conversations: every customer the relay has seen or written to, with their identities and messaging window. */
export const conversationsApi = new Hono<AppEnv>()
  .get("/v1/conversations", requireAuth("messages:read"), async (c) => c.json(await listConversations(c)))
  .get("/v1/conversations/:id", requireAuth("messages:read"), async (c) => {
    const tenant = c.get("principal").tenant;
    const id = c.req.param("id");
    const notFound = () => new ProblemError(404, "conversation_not_found", `There is no conversation '${id}' in your tenant.`);
    const parsed = parseConversationId(id);
    if (!parsed) throw notFound();
    const found = await registryAccount(c.env, parsed.account);
    if (!found || found.tenant !== tenant) throw notFound();
    const address = { tenant, channel: found.account.channel, account: parsed.account, peer: parsed.peer };
    const row = (await conversationFacts(c.env, [address])).get(factsKey(address));
    if (!row) throw notFound();
    return c.json(viewOf(row, Date.now()));
  });
