import { describe, expect, it } from "vitest";
import { TEST_KEYS } from "../support/constants";
import { eventually, relay } from "../support/http";

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
    const res = await relay("/v1/endpoint");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { state: string; events: Record<string, number> };
    expect(body.state).toBe("enabled");
    expect(body.events.delivered).toBeGreaterThan(0);
  });
});
