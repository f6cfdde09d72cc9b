import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ConversationStore } from "../../src/delivery/conversation-store";

const address = { tenant: "acme", channel: "whatsapp", account: "wa-acme", peer: "4915100000001" } as const;

function withStore(run: (store: ConversationStore) => void) {
  const stub = env.CONVERSATIONS.get(env.CONVERSATIONS.newUniqueId());
  return runInDurableObject(stub, (_, state) => {
    const store = new ConversationStore(state.storage.sql);
    store.setAddress(address);
    run(store);
  });
}

describe("conversation store", () => {
  it("keeps messages in acceptance order and ignores a repeated id", () =>
    withStore((store) => {
      expect(store.enqueue("m1", { type: "text", text: "one" }, undefined, 1)).toBe(true);
      expect(store.enqueue("m2", { type: "text", text: "two" }, undefined, 2)).toBe(true);
      expect(store.enqueue("m1", { type: "text", text: "again" }, undefined, 3)).toBe(false);
      expect(store.head()?.id).toBe("m1");
      store.markPartSent("m1", "wamid.1", 0, true, 10);
      expect(store.head()?.id).toBe("m2");
      store.markFailed("m2", { reason: "recipient_invalid" }, 11, true);
      expect(store.head()).toBeUndefined();
    }));

  it("a deferred head holds the messages behind it", () =>
    withStore((store) => {
      store.enqueue("m1", { type: "text", text: "one" }, undefined, 1);
      store.enqueue("m2", { type: "text", text: "two" }, undefined, 2);
      store.deferHead("m1", 5000, "503");
      expect(store.head()).toMatchObject({ id: "m1", attempts: 1, nextAttemptAt: 5000 });
    }));

  it("a late status never moves a message backwards, and every step is recorded", () =>
    withStore((store) => {
      store.enqueue("m1", { type: "text", text: "one" }, "ref-1", 1000);
      store.markPartSent("m1", "wamid.1", 0, true, 2000);
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
    withStore((store) => {
      store.enqueue("m1", { type: "text", text: "one" }, undefined, 1000);
      expect(store.applyPlatformStatus("wamid.early", "delivered", 1500)).toEqual({ moved: false, seen: false });
      expect(store.applyPlatformStatus("wamid.early", "delivered", 1500)).toEqual({ moved: false, seen: true });
      store.markPartSent("m1", "wamid.early", 0, true, 2000);
      expect(store.record("m1")?.status).toBe("delivered");
    }));

  it("stages events in order and forgets them once handed over", () =>
    withStore((store) => {
      const event = (id: string) => ({
        id,
        createdAt: new Date(0).toISOString(),
        type: "channel.error" as const,
        conversation: address,
        error: { title: id },
      });
      store.stageEvent(event("e1"));
      store.stageEvent(event("e2"));
      store.stageEvent(event("e1"));
      const staged = store.stagedEvents();
      expect(staged.map((s) => s.event.id)).toEqual(["e1", "e2"]);
      store.unstageEvents(staged[0]!.seq);
      expect(store.stagedEvents().map((s) => s.event.id)).toEqual(["e2"]);
    }));

  it("a split message stays at the head until its last part is accepted; each part's status finds it", () =>
    withStore((store) => {
      store.enqueue("m1", { type: "text", text: "long" }, undefined, 1000);
      store.enqueue("m2", { type: "text", text: "next" }, undefined, 1001);
      store.markPartSent("m1", "p1", 0, false, 1100);
      expect(store.head()).toMatchObject({ id: "m1", partsSent: 1 });
      expect(store.record("m1")?.status).toBe("queued");
      store.markPartSent("m1", "p2", 1, true, 1200);
      expect(store.head()?.id).toBe("m2");
      expect(store.record("m1")).toMatchObject({ status: "sent", platformMessageId: "p1" });
      expect(store.applyPlatformStatus("p2", "delivered", 1300)).toMatchObject({ messageId: "m1", moved: true });
    }));

  it("a watermark moves every message sent up to it, and no later one", () =>
    withStore((store) => {
      for (const [id, at] of [["m1", 1000], ["m2", 2000], ["m3", 3000]] as const) {
        store.enqueue(id, { type: "text", text: id }, undefined, at);
        store.markPartSent(id, `p-${id}`, 0, true, at);
      }
      const moved = store.applyWatermark("read", 2000, 2500);
      expect(moved.map((m) => m.messageId)).toEqual(["m1", "m2"]);
      expect(store.record("m3")?.status).toBe("sent");
      expect(store.applyWatermark("delivered", 3000, 3500).map((m) => m.messageId)).toEqual(["m3"]);
    }));

  it("a replayed dead letter is queued again with a new delivery window, keeping its place", () =>
    withStore((store) => {
      store.enqueue("m1", { type: "text", text: "one" }, undefined, 1000);
      store.markFailed("m1", { reason: "platform_error" }, 2000, true);
      expect(store.requeue("m2-unknown", 3000)).toBe(false);
      expect(store.requeue("m1", 3000)).toBe(true);
      expect(store.requeue("m1", 3001)).toBe(false);
      expect(store.head()).toMatchObject({ id: "m1", attempts: 0, queuedAt: 3000, createdAt: 1000 });
      const record = store.record("m1")!;
      expect(record.status).toBe("queued");
      expect(record.error).toBeUndefined();
      expect(record.history.map((h) => h.status)).toEqual(["queued", "failed", "queued"]);
    }));
});
