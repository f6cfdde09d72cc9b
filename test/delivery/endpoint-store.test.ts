import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ENDPOINT_DISABLE_AFTER_MS } from "../../src/delivery/delivery-outcome";
import { ENDPOINT_MIGRATIONS, EndpointStore, EVENT_RETENTION_MS } from "../../src/delivery/endpoint-store";
import { migrate } from "../../src/delivery/migrations";
import type { InboundEvent } from "../../src/model";

const conversation = (peer: string) => ({ tenant: "acme", channel: "whatsapp", account: "wa-acme", peer }) as const;
const received = (id: string, peer = "491"): InboundEvent => ({
  id,
  createdAt: new Date(0).toISOString(),
  type: "message.received",
  conversation: conversation(peer),
  message: { platformMessageId: id, timestamp: new Date(0).toISOString(), sender: { id: peer }, content: { type: "text", text: id } },
});
const failed = (messageId: string): InboundEvent => ({
  id: `evt-${messageId}`,
  createdAt: new Date(0).toISOString(),
  type: "message.status",
  conversation: conversation("492"),
  status: { messageId, status: "failed", timestamp: new Date(5000).toISOString(), error: { reason: "window_closed", code: "470" }, attempts: 2 },
});

function withStore(run: (store: EndpointStore) => void) {
  return runInDurableObject(env.ENDPOINTS.get(env.ENDPOINTS.newUniqueId()), (_, state) => run(new EndpointStore(state.storage.sql)));
}

describe("endpoint store", () => {
  it("stores an event id once, however often it comes", () =>
    withStore((store) => {
      expect(store.append([received("e1"), received("e1")], 1)).toBe(1);
      expect(store.append([received("e1"), received("e2")], 2)).toBe(1);
      expect(store.counts()).toEqual({ pending: 2 });
    }));

  it("offers the head of each conversation only, oldest first", () =>
    withStore((store) => {
      store.append([received("a1", "A"), received("a2", "A"), received("b1", "B")], 1);
      expect(store.due(10, 16).map((e) => e.id)).toEqual(["a1", "b1"]);
      const [a1] = store.due(10, 16);
      store.markFailedAttempt(a1!, 1000, "HTTP 503");
      // a1 waits, and a2 waits behind it.
      expect(store.due(10, 16).map((e) => e.id)).toEqual(["b1"]);
      expect(store.nextDue()).toBe(1);
      store.markDelivered(store.due(10, 16)[0]!, 11);
      expect(store.nextDue()).toBe(1000);
    }));

  it("offers as many heads as asked, beyond what one statement may bind", () =>
    withStore((store) => {
      store.append(Array.from({ length: 150 }, (_, i) => received(`c${i}`, `peer-${i}`)), 1);
      const due = store.due(10, 128, new Set([JSON.stringify(["acme", "whatsapp", "wa-acme", "peer-0"])]));
      expect(due).toHaveLength(128);
      expect(due[0]!.id).toBe("c1");
      expect(due.at(-1)!.id).toBe("c128");
    }));

  it("prunes delivered events past retention, never pending or recent ones", () =>
    withStore((store) => {
      store.append([received("old-delivered", "A"), received("old-pending", "B")], 1_000);
      store.markDelivered(store.due(2_000, 16).find((e) => e.id === "old-delivered")!, 2_000);
      store.append([received("recent", "C")], EVENT_RETENTION_MS);
      store.markDelivered(store.due(EVENT_RETENTION_MS, 16).find((e) => e.id === "recent")!, EVENT_RETENTION_MS);
      store.prune(EVENT_RETENTION_MS + 5_000);
      expect(store.counts()).toEqual({ pending: 1, delivered: 1 });
      // A redelivery of the pruned event would be new again: it is past every platform's redelivery window.
      expect(store.append([received("recent", "C")], EVENT_RETENTION_MS + 6_000)).toBe(0);
    }));

  it("counts a failing streak from its first failure and forgets it on success", () =>
    withStore((store) => {
      expect(store.noteFailure(100)).toBe(100);
      expect(store.noteFailure(100 + ENDPOINT_DISABLE_AFTER_MS)).toBe(100);
      store.noteSuccess();
      expect(store.noteFailure(500)).toBe(500);
    }));

  it("when disabled, lists every pending event as a dead letter; enabling with since delivers again", () =>
    withStore((store) => {
      store.append([received("old")], 1_000);
      store.markDelivered(store.due(2_000, 16)[0]!, 2_000);
      store.append([received("new")], 3_000);
      store.disable("the endpoint answered 410 Gone", 4_000);
      expect(store.state()).toMatchObject({ state: "disabled", reason: "the endpoint answered 410 Gone", disabledAt: 4_000 });
      expect(store.deadLetters(10)).toEqual([
        expect.objectContaining({ id: "new", kind: "event", reason: "endpoint_disabled: the endpoint answered 410 Gone" }),
      ]);
      expect(store.enable(5_000, 500)).toBe(2);
      expect(store.state()).toEqual({ state: "enabled" });
      expect(store.due(5_000, 16).map((e) => e.id)).toEqual(["old"]);
      expect(store.deadLetters(10)).toEqual([]);
    }));

  it("keeps failed outbound messages as dead letters until they are replayed", () =>
    withStore((store) => {
      store.append([failed("msg_1")], 1);
      store.recordDeadMessage(failed("msg_1"), 1);
      store.recordDeadMessage(received("not-a-failure"), 1);
      expect(store.deadLetters(10)).toEqual([
        { id: "msg_1", kind: "message", conversation: conversation("492"), reason: "window_closed", attempts: 2, at: new Date(5000).toISOString() },
      ]);
      expect(store.forgetDeadMessage("msg_1")).toBe(true);
      expect(store.forgetDeadMessage("msg_1")).toBe(false);
      expect(store.deadLetters(10)).toEqual([]);
    }));

  it("an outbox from before the pending index keeps its events, their order and counts", () =>
    runInDurableObject(env.ENDPOINTS.get(env.ENDPOINTS.newUniqueId()), (_, state) => {
      const sql = state.storage.sql;
      // The schema as it was, with one conversation's events: one delivered, two pending.
      migrate(sql, ENDPOINT_MIGRATIONS.slice(0, 5));
      const old = new Map([["o1", "delivered"], ["o2", "pending"], ["o3", "pending"]]);
      for (const [id, s] of old) {
        sql.exec("INSERT INTO events (id, conversation, body, state, next_attempt_at, created_at) VALUES (?, 'c', ?, ?, 1, 1)", id, JSON.stringify(received(id)), s);
      }
      sql.exec("INSERT INTO heads (conversation, seq, due_at) VALUES ('c', 2, 1)");
      const store = new EndpointStore(sql);
      const indexes = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND name NOT LIKE 'sqlite_%'").toArray();
      expect(indexes.map((i) => i.name)).toEqual(["events_pending_by_conversation"]);
      expect(store.counts()).toEqual({ pending: 2, delivered: 1 });
      const [head] = store.due(10, 16);
      expect(head?.id).toBe("o2");
      store.markDelivered(head!, 5);
      expect(store.due(10, 16).map((e) => e.id)).toEqual(["o3"]);
      expect(store.counts()).toEqual({ pending: 1, delivered: 2 });
    }));
});
