/**
 * One shard's part of `GET /v1/messages` (src/delivery/message-list.ts): the newest matches below a
 * place, down the index of the most selective filter, examining a bounded number of rows.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ConversationStore } from "../../src/delivery/conversation-store";
import { type MessageScan, messageScanQuery, scanMessages } from "../../src/delivery/message-list";

const address = (peer: string) => ({ tenant: "acme", channel: "whatsapp", account: "wa-acme", peer }) as const;
const text = { type: "text", text: "hi" } as const;

/** Runs `run` on a fresh shard's storage. */
function withShard(run: (sql: SqlStorage, store: ConversationStore) => void) {
  return runInDurableObject(env.CONVERSATIONS.get(env.CONVERSATIONS.newUniqueId()), (_, state) => run(state.storage.sql, new ConversationStore(state.storage.sql)));
}

/** Queues a message at `at` and moves it to `status`. */
function message(store: ConversationStore, sql: SqlStorage, m: { id: string; peer: string; at: number; reference?: string; status: "queued" | "sent" | "failed" }) {
  store.enqueue([{ address: address(m.peer), id: m.id, content: text, ...(m.reference && { reference: m.reference }) }], m.at);
  const head = { id: m.id, address: address(m.peer), seq: sql.exec<{ seq: number }>("SELECT seq FROM messages WHERE id = ?", m.id).one().seq };
  if (m.status === "sent") store.markPartSent(head, `wamid.${m.id}`, 0, true, m.at + 1);
  if (m.status === "failed") store.markFailed(head, { reason: "recipient_invalid" }, m.at + 1, true);
}

// Keys 1 to 6, in this order; m3 and m4 were accepted in the same millisecond.
const MESSAGES = [
  { id: "m1", peer: "A", at: 1000, reference: "r1", status: "sent" },
  { id: "m2", peer: "B", at: 2000, status: "failed" },
  { id: "m3", peer: "A", at: 3000, reference: "r2", status: "queued" },
  { id: "m4", peer: "B", at: 3000, reference: "r1", status: "sent" },
  { id: "m5", peer: "C", at: 4000, status: "failed" },
  { id: "m6", peer: "A", at: 5000, status: "queued" },
] as const;

const CASES: [string, Partial<MessageScan>, string[], { floor?: { at: number; seq: number }; budget?: number }?][] = [
  ["everything, newest first (ties by key)", {}, ["m6", "m5", "m4", "m3", "m2", "m1"]],
  ["one customer's", { peer: "A" }, ["m6", "m3", "m1"]],
  ["one reference's", { reference: "r1" }, ["m4", "m1"]],
  ["a reference and a customer", { reference: "r1", peer: "B" }, ["m4"]],
  ["the failed ones", { status: "failed" }, ["m5", "m2"]],
  ["the sent ones", { status: "sent" }, ["m4", "m1"]],
  ["a customer's waiting ones", { peer: "A", status: "queued" }, ["m6", "m3"]],
  ["accepted since a time", { since: 3000 }, ["m6", "m5", "m4", "m3"]],
  ["below a place: the same time, a lower key", { before: { at: 3000, seq: 4 } }, ["m3", "m2", "m1"]],
  ["below a time", { before: { at: 3000, seq: 0 } }, ["m2", "m1"]],
  ["at or below a time", { before: { at: 3000, seq: Number.MAX_SAFE_INTEGER } }, ["m4", "m3", "m2", "m1"]],
  ["a page: stops at its last match", { limit: 2 }, ["m6", "m5"], { floor: { at: 4000, seq: 5 } }],
  ["a page that ends with the shard: read to the end", { peer: "A", limit: 3 }, ["m6", "m3", "m1"]],
  ["a filter no index serves stops after the budget", { status: "sent" }, ["m4"], { floor: { at: 3000, seq: 4 }, budget: 3 }],
  ["nothing below the oldest", { before: { at: 1000, seq: 1 } }, []],
];

describe("scanMessages", () => {
  it.each(CASES)("%s", (_, q, ids, expected = {}) =>
    withShard((sql, store) => {
      for (const m of MESSAGES) message(store, sql, m);
      const result = scanMessages(sql, { limit: 10, ...q }, expected.budget);
      expect(result.hits.map((h) => h.id)).toEqual(ids);
      expect(result.floor).toEqual(expected.floor);
      for (const h of result.hits) expect(h.at).toBe(MESSAGES.find((m) => m.id === h.id)!.at);
    }),
  );

  it("reads every filter down an index, in order, without sorting", () =>
    withShard((sql) => {
      const scans: MessageScan[] = [
        { limit: 10 },
        { limit: 10, peer: "A", before: { at: 5, seq: 2 }, since: 1 },
        { limit: 10, reference: "r", status: "sent" },
        { limit: 10, status: "failed", since: 3 },
        { limit: 10, status: "read", before: { at: 5, seq: 0 } },
      ];
      for (const scan of scans) {
        const { query, args } = messageScanQuery(scan, 100);
        const plan = sql.exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`, ...args).toArray().map((r) => r.detail);
        expect(plan.length, JSON.stringify(scan)).toBeGreaterThan(0);
        for (const step of plan) {
          expect(step, JSON.stringify(scan)).toMatch(/^(SCAN|SEARCH) messages USING (COVERING )?INDEX messages_/);
          expect(step, JSON.stringify(scan)).not.toMatch(/TEMP B-TREE/);
        }
      }
    }));

  it("pages through 12,000 messages of a shard a bounded number of rows at a time", () =>
    withShard((sql, store) => {
      const total = 12_000;
      for (let i = 0; i < total; i += 1000) {
        store.enqueue(
          Array.from({ length: 1000 }, (_, j) => ({ address: address(`p${(i + j) % 50}`), id: `n${i + j}`, content: text, ...(i + j === 7777 && { reference: "needle" }) })),
          10_000 + i,
        );
      }
      // A reference is found at once, wherever it is.
      expect(scanMessages(sql, { limit: 5, reference: "needle" })).toEqual({ hits: [expect.objectContaining({ id: "n7777" })] });
      // A status nothing has: each scan examines the budget, and the floors walk down to the end.
      let before: MessageScan["before"];
      let scans = 0;
      for (;;) {
        const result = scanMessages(sql, { limit: 5, status: "read", ...(before && { before }) });
        expect(result.hits).toEqual([]);
        scans++;
        if (!result.floor) break;
        before = result.floor;
      }
      expect(scans).toBe(Math.ceil(total / 2000) + 1);
      // Every message once, newest first, page after page.
      const seen: string[] = [];
      before = undefined;
      for (;;) {
        const result = scanMessages(sql, { limit: 1000, ...(before && { before }) });
        seen.push(...result.hits.map((h) => h.id));
        if (!result.floor) break;
        before = result.floor;
      }
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
      expect(seen[0]).toBe(`n${total - 1}`);
    }));
});
