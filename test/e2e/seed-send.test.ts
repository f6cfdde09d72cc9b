import { describe, expect, it } from "vitest";
import { ACCESS } from "../support/constants";
import { control, eventually, newPeer, relay } from "../support/http";

interface ContainerState {
  logins: number;
  messages: { id: string; body: Record<string, unknown>; headers: Record<string, string> }[];
}
interface BackendEvents {
  events: { id: string; payload: { type: string; status?: { messageId?: string; status: string } } }[];
}

describe("the seed's send, end to end", () => {
  it("queues, reaches the container with token and tunnel headers, and statuses come back", async () => {
    const peer = newPeer();
    const res = await relay("/api/v7/chat", { method: "POST", body: JSON.stringify({ id: peer, message: "Hello world!" }) });
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { id: string; status: string };
    expect(accepted.status).toBe("queued");
    expect(accepted.id).toMatch(/^msg_/);

    const sent = await eventually(async () => {
      const state = await control<ContainerState>("containerUrl", "/_sandbox/state");
      return state.messages.find((m) => m.body.to === peer);
    }, 10_000, "the container to receive the message");
    expect(sent.body).toMatchObject({ to: peer, type: "text", text: { body: "Hello world!" }, recipient_type: "individual" });
    expect(sent.headers.authorization).toMatch(/^Bearer .{32,}/);
    expect(sent.headers["cf-access-client-id"]).toBe(ACCESS.clientId);
    expect(sent.headers["cf-access-client-secret"]).toBe(ACCESS.clientSecret);

    const record = await eventually(async () => {
      const r = await relay(`/v1/messages/${accepted.id}`);
      const body = (await r.json()) as { status: string; history: { status: string }[]; platformMessageId?: string };
      return body.status === "read" ? body : undefined;
    }, 10_000, "the message to be read");
    expect(record.platformMessageId).toBe(sent.id);
    expect(record.history.map((h) => h.status)).toEqual(["queued", "sent", "delivered", "read"]);

    const events = await eventually(async () => {
      const { events } = await control<BackendEvents>("backendUrl", "/_sandbox/events");
      const mine = events.filter((e) => e.payload.status?.messageId === accepted.id);
      return mine.length >= 3 ? mine : undefined;
    }, 10_000, "status events at the backend");
    expect(events.map((e) => e.payload.status?.status)).toEqual(["sent", "delivered", "read"]);
  });
});
