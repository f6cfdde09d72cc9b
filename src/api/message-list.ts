import { Hono } from "hono";
import { adapterFor } from "../channels/registry";
import { conversationOutbox, conversationShard } from "../delivery/conversation-shards";
import { peerForRecipient } from "../delivery/customers";
import { CONVERSATION_SHARDS, shardOf } from "../delivery/shards";
import { ProblemError } from "../errors";
import type { MessageRecord } from "../model";
import { registryAccount, tenantAccounts } from "../registry/directory";
import { readQuery } from "./body";
import { type MessageList, MessagesQuery } from "./console-schemas";
import type { AppContext, AppEnv } from "./context";
import { decodeCursor, encodeCursor } from "./cursor";
import { requireAuth } from "./middleware";
import { mergeShardPages, PlaceCursor, placeCursor, shardBound } from "./shard-pages";

type Shard = ReturnType<typeof conversationShard>;

/** The shards a list reads: every shard of each account asked for, or only the customer's shard of each. */
async function shardsToRead(c: AppContext, tenant: string, account: string | undefined, to: string | undefined): Promise<{ name: string; stub: Shard; peer?: string }[]> {
  const accounts = account ? [account] : (await tenantAccounts(c.env, tenant)).map((a) => a.id);
  const perAccount = await Promise.all(
    accounts.map(async (id) => {
      const found = await registryAccount(c.env, id);
      if (!found || found.tenant !== tenant) {
        if (account) throw new ProblemError(422, "unknown_account", `There is no account '${id}' in your tenant.`);
        return [];
      }
      // A shard's name orders it among the others in the merged list.
      const name = (k: number) => `${id}/${String(k).padStart(2, "0")}`;
      if (to === undefined) return Array.from({ length: CONVERSATION_SHARDS }, (_, k) => ({ name: name(k), stub: conversationShard(c.env, tenant, id, k) }));
      const normalized = adapterFor(found.account.channel).normalizePeer(to);
      if (!normalized) return [];
      // As a send to this recipient would have been addressed (a customer known by another identity first).
      const address = { tenant, channel: found.account.channel, account: id, peer: normalized };
      const peer = await peerForRecipient(c.env, address);
      return [{ name: name(shardOf(peer, CONVERSATION_SHARDS)), stub: conversationOutbox(c.env, { ...address, peer }), peer }];
    }),
  );
  return perAccount.flat();
}

/**
 * One page of the tenant's messages, newest first by acceptance, from every conversation shard of the
 * accounts asked for: each shard answers the places of its newest matches (a bounded scan), the merge
 * keeps a page of them, and only the shards on that page are asked for the records.
 */
async function listMessages(c: AppContext): Promise<MessageList> {
  const tenant = c.get("principal").tenant;
  const q = readQuery(c, MessagesQuery);
  const cursor = q.cursor ? decodeCursor(q.cursor, PlaceCursor) : undefined;
  const since = q.since ? Date.parse(q.since) : undefined;
  const until = q.until ? Date.parse(q.until) : undefined;
  const shards = await shardsToRead(c, tenant, q.account, q.to);
  const pages = await Promise.all(
    shards.map(async (s) => {
      const before = shardBound(s.name, cursor, until);
      const scan = {
        limit: q.limit + 1,
        ...(before && { before }),
        ...(since !== undefined && { since }),
        ...(s.peer !== undefined && { peer: s.peer }),
        ...(q.reference !== undefined && { reference: q.reference }),
        ...(q.status && { status: q.status }),
      };
      const result = await s.stub.messageKeys(scan, tenant);
      return { shard: s.name, rows: result.hits, ...(result.floor && { floor: result.floor }) };
    }),
  );
  const { rows, next } = mergeShardPages(pages, q.limit);
  const stubs = new Map(shards.map((s) => [s.name, s.stub]));
  const byShard = new Map<string, string[]>();
  for (const r of rows) (byShard.get(r.shard) ?? byShard.set(r.shard, []).get(r.shard)!).push(r.id);
  const records = new Map<string, MessageRecord>();
  await Promise.all(
    [...byShard].map(async ([shard, ids]) => {
      // The RPC stub's type cannot follow the record's recursive content types; the method returns MessageRecord[].
      const found = (await stubs.get(shard)!.messageRecords(ids, tenant)) as MessageRecord[];
      for (const record of found) records.set(record.id, record);
    }),
  );
  return {
    // A message may have moved on between the two reads: its status now decides.
    items: rows.flatMap((r) => records.get(r.id) ?? []).filter((r) => !q.status || r.status === q.status),
    ...(next && { next: encodeCursor(placeCursor(next)) }),
  };
}

/** `GET /v1/messages`: the tenant's messages, filtered and paged. */
export const messageListApi = new Hono<AppEnv>().get("/v1/messages", requireAuth("messages:read"), async (c) => c.json(await listMessages(c)));
