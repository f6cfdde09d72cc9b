import { describe, expect, it } from "vitest";
import { canTransition, type MessageStatus } from "../../src/model";

describe("status state machine", () => {
  it("moves only forward: queued < sent < delivered < read", () => {
    const order: MessageStatus[] = ["queued", "sent", "delivered", "read"];
    for (const [i, from] of order.entries()) {
      for (const [j, to] of order.entries()) expect(canTransition(from, to), `${from}→${to}`).toBe(j > i);
    }
  });

  it("failed is terminal, and cannot follow delivered or read", () => {
    expect(canTransition("queued", "failed")).toBe(true);
    expect(canTransition("sent", "failed")).toBe(true);
    expect(canTransition("delivered", "failed")).toBe(false);
    expect(canTransition("read", "failed")).toBe(false);
    for (const to of ["queued", "sent", "delivered", "read", "failed"] as const) expect(canTransition("failed", to)).toBe(false);
  });
});
