import { describe, expect, inject, it } from "vitest";
import { TEST_KEYS, WEBHOOK_SECRET } from "../support/constants";
import { control, eventually, relay } from "../support/http";
import type { BackendEvents } from "../support/sandbox-types";

interface DeadLetters {
  items: { id: string; kind: string; reason: string; attempts: number; conversation: { peer: string } }[];
}

describe("dead letters", () => {
  it("a permanently failed message is listed with its reason and attempts, and can be replayed", async () => {
    const to = `470${Math.floor(1e8 + Math.random() * 9e8)}`;
    const res = await relay("/api/v7/chat", { method: "POST", body: JSON.stringify({ id: to, message: "late" }) });
    const { id } = (await res.json()) as { id: string };
    const letter = await eventually(async () => {
      const list = (await (await relay("/v1/dead-letters")).json()) as DeadLetters;
      return list.items.find((i) => i.id === id);
    }, 10_000, "the dead letter");
    expect(letter).toMatchObject({ kind: "message", reason: "window_closed", attempts: 1, conversation: { peer: to } });

    const replay = await relay(`/v1/dead-letters/${id}/replay`, { method: "POST" });
    expect(replay.status).toBe(202);
    // The container refuses it again (470), so it fails again, after a second attempt window.
    const record = await eventually(async () => {
      const r = (await (await relay(`/v1/messages/${id}`)).json()) as { status: string; history: { status: string }[] };
      return r.history.length >= 4 ? r : undefined;
    }, 10_000, "the replayed attempt");
    expect(record.history.map((h) => h.status)).toEqual(["queued", "failed", "queued", "failed"]);
  });

  it("other tenants cannot see or replay a dead letter", async () => {
    const to = `470${Math.floor(1e8 + Math.random() * 9e8)}`;
    const { id } = (await (await relay("/api/v7/chat", { method: "POST", body: JSON.stringify({ id: to, message: "x" }) })).json()) as { id: string };
    await eventually(async () => {
      const list = (await (await relay("/v1/dead-letters")).json()) as DeadLetters;
      return list.items.some((i) => i.id === id) ? true : undefined;
    }, 10_000, "the dead letter");
    const theirs = (await (await relay("/v1/dead-letters", { key: TEST_KEYS.globex })).json()) as DeadLetters;
    expect(theirs.items.some((i) => i.id === id)).toBe(false);
    expect((await relay(`/v1/dead-letters/${id}/replay`, { method: "POST", key: TEST_KEYS.globex })).status).toBe(404);
  });

  it("shows the endpoint's state", async () => {
    const res = await relay("/v1/endpoints/default", { key: TEST_KEYS.acmeManager });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { state: string; events: Record<string, number> };
    expect(body.state).toBe("enabled");
    expect(body.events.delivered).toBeGreaterThan(0);
  });
});

describe("the business endpoint's lifecycle", () => {
  it("a 410 Gone disables the endpoint and keeps its events; enabling delivers them", async () => {
    const globex = { key: TEST_KEYS.globex };
    await control("backendUrl", "/_sandbox/faults", { status: 410, path: "/globex", count: 1 });
    const messageId = `ABGG${crypto.randomUUID()}`;
    const body = JSON.stringify({
      contacts: [{ profile: { name: "Gone" }, wa_id: "4915100000410" }],
      messages: [{ from: "4915100000410", id: messageId, timestamp: "1700000000", type: "text", text: { body: "are you there?" } }],
    });
    const ack = await fetch(`${inject("relayUrl")}/webhooks/whatsapp/wa-globex?secret=${WEBHOOK_SECRET}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(ack.status).toBe(200);

    const disabled = await eventually(async () => {
      const s = (await (await relay("/v1/endpoints/default", globex)).json()) as { state: string; reason?: string };
      return s.state === "disabled" ? s : undefined;
    }, 10_000, "the endpoint to be disabled");
    expect(disabled.reason).toContain("410");
    const letters = (await (await relay("/v1/dead-letters", globex)).json()) as DeadLetters;
    expect(letters.items).toEqual([expect.objectContaining({ kind: "event", attempts: 1 })]);
    const replayWhileDisabled = await relay(`/v1/dead-letters/${letters.items[0]!.id}/replay`, { method: "POST", ...globex });
    expect(replayWhileDisabled.status).toBe(409);

    const enabled = await relay("/v1/endpoints/default/enable", { method: "POST", ...globex });
    expect(enabled.status).toBe(200);
    const delivered = await eventually(async () => {
      const { events } = await control<BackendEvents>("backendUrl", "/_sandbox/events");
      return events.find((e) => e.path === "/globex" && e.payload.message?.platformMessageId === messageId);
    }, 10_000, "the kept event at the backend");
    expect(delivered.payload.conversation.tenant).toBe("globex");
    expect(((await (await relay("/v1/endpoints/default", globex)).json()) as { state: string }).state).toBe("enabled");
  });
});
