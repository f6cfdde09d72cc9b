import { describe, expect, it } from "vitest";
import { control, eventually, newPeer, relay } from "../support/http";
import type { BackendEvents, ContainerState } from "../support/sandbox-types";

async function send(to: string, text: string): Promise<string> {
  const res = await relay("/api/v7/chat", { method: "POST", body: JSON.stringify({ id: to, message: text }) });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

async function recordOf(id: string) {
  return (await (await relay(`/v1/messages/${id}`)).json()) as {
    status: string;
    attempts: number;
    error?: { reason: string; code?: string };
    history: { status: string }[];
  };
}

describe("delivery to the container under faults", () => {
  it("a container answering 503 three times still gets the message exactly once", async () => {
    const to = newPeer();
    await control("containerUrl", "/_sandbox/faults", { status: 503, count: 3, path: "/v1/messages", to });
    const id = await send(to, "through the storm");
    const record = await eventually(async () => {
      const r = await recordOf(id);
      return r.status === "read" ? r : undefined;
    }, 15_000, "the message to go through");
    expect(record.attempts).toBe(4);
    const state = await control<ContainerState>("containerUrl", "/_sandbox/state");
    expect(state.messages.filter((m) => m.body.to === to)).toHaveLength(1);
  });

  it("honours Retry-After on 429 and keeps the conversation in order", async () => {
    const to = newPeer();
    await control("containerUrl", "/_sandbox/faults", { status: 429, retryAfter: 1, count: 1, path: "/v1/messages", to });
    const first = await send(to, "first");
    const second = await send(to, "second");
    await eventually(async () => ((await recordOf(second)).status === "read" ? true : undefined), 15_000, "both sent");
    const state = await control<ContainerState>("containerUrl", "/_sandbox/state");
    const texts = state.messages.filter((m) => m.body.to === to).map((m) => (m.body.text as { body: string }).body);
    expect(texts).toEqual(["first", "second"]);
    expect((await recordOf(first)).attempts).toBe(2);
  });

  it("an expired token leads to exactly one re-login", async () => {
    await send(newPeer(), "warm up the session");
    await eventually(async () => {
      const s = await control<ContainerState>("containerUrl", "/_sandbox/state");
      return s.logins > 0 ? true : undefined;
    }, 10_000, "a first login");
    const before = (await control<ContainerState>("containerUrl", "/_sandbox/state")).logins;
    await control("containerUrl", "/_sandbox/faults", { expireTokens: true });
    const to = newPeer();
    const id = await send(to, "after expiry");
    await eventually(async () => ((await recordOf(id)).status !== "queued" ? true : undefined), 10_000, "the send");
    const after = await control<ContainerState>("containerUrl", "/_sandbox/state");
    expect(after.logins).toBe(before + 1);
    expect(after.messages.filter((m) => m.body.to === to)).toHaveLength(1);
  });

  it("a permanently failed message does not hold the ones behind it", async () => {
    const to = newPeer();
    await control("containerUrl", "/_sandbox/faults", { status: 400, count: 1, path: "/v1/messages", to });
    const rejected = await send(to, "rejected");
    const next = await send(to, "next in line");
    await eventually(async () => ((await recordOf(next)).status === "read" ? true : undefined), 10_000, "the next message");
    expect(await recordOf(rejected)).toMatchObject({ status: "failed", attempts: 1, error: { reason: "content_rejected", code: "1008" } });
    const state = await control<ContainerState>("containerUrl", "/_sandbox/state");
    expect(state.messages.filter((m) => m.body.to === to).map((m) => (m.body.text as { body: string }).body)).toEqual(["next in line"]);
  });

  it("splits a text longer than WhatsApp allows into parts sent in order, each status finding the message", async () => {
    const to = newPeer();
    const words = Array.from({ length: 1200 }, (_, i) => `w${i}`).join(" ");
    const long = await relay("/v1/messages", {
      method: "POST",
      body: JSON.stringify({ to, content: { type: "text", text: `${words} ${words}` } }),
    });
    const longId = ((await long.json()) as { id: string }).id;
    await eventually(async () => ((await recordOf(longId)).status === "read" ? true : undefined), 10_000, "the long text");
    const state = await control<ContainerState>("containerUrl", "/_sandbox/state");
    const bodies = state.messages.filter((m) => m.body.to === to).map((m) => (m.body.text as { body: string }).body);
    expect(bodies.length).toBe(Math.ceil((2 * words.length + 1) / 4096));
    for (const b of bodies) expect(b.length).toBeLessThanOrEqual(4096);
    expect(bodies.join(" ")).toBe(`${words} ${words}`);
    // One attempt per part, and the statuses of the last part's id moved the one message to read.
    expect((await recordOf(longId)).attempts).toBe(bodies.length);
  });

  it("fails permanently with a stable reason when the recipient is not on WhatsApp, and says so", async () => {
    const id = await send("0049123", "nobody home");
    const record = await eventually(async () => {
      const r = await recordOf(id);
      return r.status === "failed" ? r : undefined;
    }, 10_000, "the failure");
    expect(record.error).toMatchObject({ reason: "recipient_invalid", code: "1013" });
    expect(record.attempts).toBe(1);
    const event = await eventually(async () => {
      const { events } = await control<BackendEvents>("backendUrl", "/_sandbox/events");
      return events.find((e) => e.payload.status?.messageId === id);
    }, 10_000, "the failed status at the backend");
    expect(event.payload.status).toMatchObject({ status: "failed", error: { reason: "recipient_invalid" } });
  });

  it("maps an asynchronous failed status (outside the 24-hour window) to window_closed", async () => {
    const id = await send("4710001234", "too late");
    const record = await eventually(async () => {
      const r = await recordOf(id);
      return r.status === "failed" ? r : undefined;
    }, 10_000, "the async failure");
    expect(record.error).toMatchObject({ reason: "window_closed", code: "470" });
    expect(record.history.map((h) => h.status)).toEqual(["queued", "sent", "failed"]);
  });
});
