import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ConversationStore } from "../../src/delivery/conversation-store";
import { CONVERSATION_MIGRATIONS } from "../../src/delivery/conversation-tables";
import { migrate } from "../../src/delivery/migrations";
import { STAGED_BATCH } from "../../src/delivery/staged-events";

const address = { tenant: "acme", channel: "whatsapp", account: "wa-acme", peer: "4915100000001" } as const;

/** A message as the store's methods name it: its key, id and conversation. */
type At = (id: string, peer?: string) => { seq: number; id: string; address: { tenant: string; channel: "whatsapp"; account: string; peer: string } };

function withStore(run: (store: ConversationStore, at: At, sql: SqlStorage) => void) {
  const stub = env.CONVERSATIONS.get(env.CONVERSATIONS.newUniqueId());
  return runInDurableObject(stub, (_, state) => {
    const sql = state.storage.sql;
    const at: At = (id, peer = address.peer) => ({ id, address: { ...address, peer }, seq: sql.exec<{ seq: number }>("SELECT seq FROM messages WHERE id = ?", id).one().seq });
    run(new ConversationStore(sql), at, sql);
  });
}

const text = (t: string) => ({ type: "text", text: t }) as const;
/** Queues one message to `peer` (the default conversation when absent). */
const enqueue = (store: ConversationStore, id: string, t: string, reference: string | undefined, now: number, peer: string = address.peer, bulk = false) =>
  store.enqueue([{ address: { ...address, peer }, id, content: text(t), ...(reference && { reference }), bulk }], now) === 1;
const head = (store: ConversationStore, now = Number.MAX_SAFE_INTEGER) => store.due(now, 1)[0];

describe("conversation store", () => {
  it("keeps messages in acceptance order and ignores a repeated id", () =>
    withStore((store, at) => {
      expect(enqueue(store, "m1", "one", undefined, 1)).toBe(true);
      expect(enqueue(store, "m2", "two", undefined, 2)).toBe(true);
      expect(enqueue(store, "m1", "again", undefined, 3)).toBe(false);
      expect(head(store)?.id).toBe("m1");
      store.markPartSent(at("m1"), "wamid.1", 0, true, 10);
      expect(head(store)?.id).toBe("m2");
      store.markFailed(at("m2"), { reason: "recipient_invalid" }, 11, true);
      expect(head(store)).toBeUndefined();
    }));

  it("a deferred head holds the messages behind it", () =>
    withStore((store, at) => {
      enqueue(store, "m1", "one", undefined, 1);
      enqueue(store, "m2", "two", undefined, 2);
      store.deferHead(at("m1"), 5000, "503");
      expect(store.due(4999, 10)).toEqual([]);
      expect(store.nextDue()).toBe(5000);
      expect(head(store, 5000)).toMatchObject({ id: "m1", attempts: 1, nextAttemptAt: 5000 });
    }));

  it("offers one head per conversation: one-to-one messages before bulk ones, each in acceptance order", () =>
    withStore((store, at) => {
      enqueue(store, "b1", "bulk to A", undefined, 1, "A", true);
      enqueue(store, "b2", "bulk to B", undefined, 2, "B", true);
      enqueue(store, "a2", "reply to A", undefined, 3, "A");
      enqueue(store, "c1", "reply to C", undefined, 4, "C");
      enqueue(store, "c2", "again to C", undefined, 5, "C");
      // A's reply waits behind A's bulk message (a conversation keeps its order); C's goes first.
      expect(store.due(10, 10).map((m) => m.id)).toEqual(["c1", "b1", "b2"]);
      // A conversation being sent to is skipped, not the ones behind it.
      expect(store.due(10, 2, new Set(["C"])).map((m) => m.id)).toEqual(["b1", "b2"]);
      store.markPartSent(at("b1", "A"), "p-b1", 0, true, 11);
      expect(store.due(20, 10).map((m) => m.id)).toEqual(["a2", "c1", "b2"]);
      expect(store.due(20, 10)[0]).toMatchObject({ address: { ...address, peer: "A" }, bulk: false });
    }));

  it("after a send, the conversation's next message waits until nextSendAt (the platform's limit per customer)", () =>
    withStore((store, at) => {
      enqueue(store, "m1", "one", undefined, 1);
      enqueue(store, "m2", "two", undefined, 2);
      store.markPartSent(at("m1"), "p1", 0, true, 100, 1100);
      expect(store.due(1099, 10)).toEqual([]);
      expect(store.nextDue()).toBe(1100);
      expect(store.due(1100, 10).map((m) => m.id)).toEqual(["m2"]);
      // A message queued later to the same customer waits too.
      store.markPartSent(at("m2"), "p2", 0, true, 1200, 2200);
      enqueue(store, "m3", "three", undefined, 1300);
      expect(store.due(2199, 10)).toEqual([]);
      expect(head(store, 2200)?.id).toBe("m3");
    }));

  it("a late status never moves a message backwards, and every step is recorded", () =>
    withStore((store, at) => {
      enqueue(store, "m1", "one", "ref-1", 1000);
      store.markPartSent(at("m1"), "wamid.1", 0, true, 2000);
      expect(store.applyPlatformStatus("wamid.1", "read", 4000)).toEqual({ messageId: "m1", moved: true, seen: false, reference: "ref-1" });
      expect(store.applyPlatformStatus("wamid.1", "read", 4100)).toMatchObject({ moved: false, seen: true });
      expect(store.applyPlatformStatus("wamid.1", "delivered", 3000).moved).toBe(false);
      expect(store.applyPlatformStatus("wamid.1", "failed", 5000, { reason: "platform_error" }).moved).toBe(false);
      const record = store.record("m1")!;
      expect(record.status).toBe("read");
      expect(record.error).toBeUndefined();
      expect(record.history).toEqual([
        { status: "queued", at: new Date(1000).toISOString() },
        { status: "sent", at: new Date(2000).toISOString() },
        { status: "read", at: new Date(4000).toISOString() },
      ]);
    }));

  it("a status that overtakes the send's answer applies once the platform id is known", () =>
    withStore((store, at) => {
      enqueue(store, "m1", "one", undefined, 1000);
      expect(store.applyPlatformStatus("wamid.early", "delivered", 1500)).toEqual({ moved: false, seen: false });
      expect(store.applyPlatformStatus("wamid.early", "delivered", 1500)).toEqual({ moved: false, seen: true });
      store.markPartSent(at("m1"), "wamid.early", 0, true, 2000);
      expect(store.record("m1")?.status).toBe("delivered");
    }));

  it("stages events in order, copies too, and forgets them once handed over", () =>
    withStore((store, _at, sql) => {
      const event = (id: string) => ({
        id,
        createdAt: new Date(0).toISOString(),
        type: "channel.error" as const,
        conversation: address,
        error: { title: id },
      });
      store.staged.add(event("e1"));
      store.staged.add(event("e2"));
      // A copy is staged again: the endpoint it is handed to keeps each event id once.
      store.staged.add(event("e1"));
      const staged = store.staged.pending();
      expect(staged.map((s) => s.event.id)).toEqual(["e1", "e2", "e1"]);
      store.staged.handedOver(staged[0]!.seq);
      expect(store.staged.pending().map((s) => s.event.id)).toEqual(["e2", "e1"]);
      // Handed over, their rows go with the next write; a rolled-back write deletes them again.
      const rows = () => sql.exec<{ n: number }>("SELECT count(*) AS n FROM event_outbox").one().n;
      expect(rows()).toBe(3);
      store.staged.dropHandedOver();
      expect(rows()).toBe(2);
      sql.exec("INSERT INTO event_outbox (seq, id, event) VALUES (?, ?, ?)", staged[0]!.seq, "e1", JSON.stringify(event("e1")));
      store.forgetCached();
      store.staged.dropHandedOver();
      expect(rows()).toBe(2);
      expect(store.staged.pending().map((s) => s.event.id)).toEqual(["e2", "e1"]);
      // Staging deletes what was handed over since, in its own transaction.
      store.staged.handedOver(store.staged.pending()[0]!.seq);
      store.staged.add(event("e3"));
      expect(rows()).toBe(2);
      expect(store.staged.pending().map((s) => s.event.id)).toEqual(["e1", "e3"]);
    }));

  it("hands over from memory what it staged, and from the rows what a rolled-back transaction left unknown", () =>
    runInDurableObject(env.CONVERSATIONS.get(env.CONVERSATIONS.newUniqueId()), (_, state) => {
      const store = new ConversationStore(state.storage.sql);
      const event = (id: string) => ({ id, createdAt: new Date(0).toISOString(), type: "channel.error" as const, conversation: address, error: { title: id } });
      const ids = () => store.staged.pending().map((s) => s.event.id);
      expect(ids()).toEqual([]);
      state.storage.transactionSync(() => store.staged.add(event("e1")));
      // Not read back: the rows could say otherwise, the staged copy in memory is what is handed over.
      state.storage.sql.exec("UPDATE event_outbox SET event = ?", JSON.stringify(event("changed")));
      expect(ids()).toEqual(["e1"]);
      expect(() =>
        state.storage.transactionSync(() => {
          store.staged.add(event("e2"));
          throw new Error("rolled back");
        }),
      ).toThrow("rolled back");
      store.forgetCached();
      // Read from the rows again: e2 is not there, and e1 as the rows hold it.
      expect(ids()).toEqual(["changed"]);
      store.staged.handedOver(store.staged.pending()[0]!.seq);
      state.storage.transactionSync(() => store.staged.add(event("e3")));
      expect(ids()).toEqual(["e3"]);
      expect(state.storage.sql.exec<{ id: string }>("SELECT id FROM event_outbox").toArray().map((r) => r.id)).toEqual(["e3"]);
      // A backlog larger than a batch is not kept in memory: it is read from the rows, a batch at a time.
      state.storage.transactionSync(() => {
        for (let i = 0; i < STAGED_BATCH + 10; i++) store.staged.add(event(`b${i}`));
      });
      state.storage.sql.exec("UPDATE event_outbox SET event = ? WHERE id = 'e3'", JSON.stringify(event("e3 as stored")));
      expect(store.staged.pending().length).toBe(STAGED_BATCH);
      expect(store.staged.pending()[0]!.event.id).toBe("e3 as stored");
    }));

  it("a split message stays at the head until its last part is accepted; each part's status finds it", () =>
    withStore((store, at) => {
      enqueue(store, "m1", "long", undefined, 1000);
      enqueue(store, "m2", "next", undefined, 1001);
      store.markPartSent(at("m1"), "p1", 0, false, 1100);
      expect(head(store)).toMatchObject({ id: "m1", partsSent: 1 });
      expect(store.record("m1")?.status).toBe("queued");
      store.markPartSent(at("m1"), "p2", 1, true, 1200);
      expect(head(store)?.id).toBe("m2");
      expect(store.record("m1")).toMatchObject({ status: "sent", platformMessageId: "p1" });
      expect(store.applyPlatformStatus("p2", "delivered", 1300)).toMatchObject({ messageId: "m1", moved: true });
    }));

  it("a watermark moves every message sent up to it, and no later one", () =>
    withStore((store, message) => {
      for (const [id, time] of [["m1", 1000], ["m2", 2000], ["m3", 3000]] as const) {
        enqueue(store, id, id, undefined, time);
        store.markPartSent(message(id), `p-${id}`, 0, true, time);
      }
      enqueue(store, "other", "other", undefined, 1500, "another-peer");
      store.markPartSent(message("other", "another-peer"), "p-other", 0, true, 1500);
      const moved = store.applyWatermark(address.peer, "read", 2000, 2500);
      expect(moved.map((m) => m.messageId)).toEqual(["m1", "m2"]);
      expect(store.record("m3")?.status).toBe("sent");
      expect(store.applyWatermark(address.peer, "delivered", 3000, 3500).map((m) => m.messageId)).toEqual(["m3"]);
    }));

  it("a replayed dead letter is queued again with a new delivery window, keeping its place", () =>
    withStore((store, at) => {
      enqueue(store, "m1", "one", undefined, 1000);
      store.markFailed(at("m1"), { reason: "platform_error" }, 2000, true);
      expect(store.requeue("m2-unknown", 3000)).toBe(false);
      expect(store.requeue("m1", 3000)).toBe(true);
      expect(store.requeue("m1", 3001)).toBe(false);
      expect(head(store)).toMatchObject({ id: "m1", attempts: 0, queuedAt: 3000, createdAt: 1000 });
      const record = store.record("m1")!;
      expect(record.status).toBe("queued");
      expect(record.error).toBeUndefined();
      expect(record.history.map((h) => h.status)).toEqual(["queued", "failed", "queued"]);
    }));

  it("an outbox of one conversation from before shards keeps its messages, their order, history and staged events", () =>
    // An object of a class that keeps nothing in SQLite: storage as blank as an old outbox's was.
    runInDurableObject(env.SESSIONS.get(env.SESSIONS.newUniqueId()), (_, state) => {
      const sql = state.storage.sql;
      // The schema and rows as the per-conversation outbox left them.
      migrate(sql, CONVERSATION_MIGRATIONS.slice(0, 4));
      sql.exec("INSERT INTO meta (key, value) VALUES ('address', ?)", JSON.stringify(address));
      for (const [id, at] of [["old-1", 1000], ["old-2", 2000]] as const) {
        sql.exec("INSERT INTO messages (id, content, status, next_attempt_at, created_at) VALUES (?, ?, 'queued', ?, ?)", id, JSON.stringify(text(id)), at, at);
        sql.exec("INSERT INTO history (message_id, status, at) VALUES (?, 'queued', ?)", id, at);
      }
      const staged = { id: "evt-old", createdAt: new Date(0).toISOString(), type: "channel.error" as const, conversation: address, error: { title: "old" } };
      sql.exec("INSERT INTO event_outbox (id, event) VALUES (?, ?)", staged.id, JSON.stringify(staged));
      const store = new ConversationStore(sql);
      expect(store.owner).toEqual({ tenant: "acme", account: "wa-acme" });
      // A staged event survives the staging table's rebuild, and what is staged next goes after it.
      store.staged.add({ ...staged, id: "evt-new" });
      expect(store.staged.pending().map((s) => s.event.id)).toEqual(["evt-old", "evt-new"]);
      expect(store.due(5000, 10).map((m) => [m.id, m.address])).toEqual([["old-1", address]]);
      store.markPartSent({ seq: store.due(5000, 1)[0]!.seq, id: "old-1", address }, "p-old-1", 0, true, 3000);
      expect(store.due(5000, 10).map((m) => m.id)).toEqual(["old-2"]);
      expect(store.record("old-1")?.history.map((h) => [h.status, h.at])).toEqual([
        ["queued", new Date(1000).toISOString()],
        ["sent", new Date(3000).toISOString()],
      ]);
    }));
});
