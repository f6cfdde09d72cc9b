import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ConversationStore } from "../../src/delivery/conversation-store";
import { OUTBOUND_MAX_AGE_MS } from "../../src/delivery/retry-policy";
import { endpointOf, outboxOf } from "../support/outboxes";

describe("conversation outbox", () => {
  it("fails a message that could not be sent within the maximum age as expired, and sends the next", async () => {
    const address = { tenant: "acme", channel: "whatsapp", account: "wa-acme", peer: `49${Date.now()}` } as const;
    const stub = outboxOf(address);
    const old = Date.now() - OUTBOUND_MAX_AGE_MS - 60_000;
    await runInDurableObject(stub, (_, state) => {
      new ConversationStore(state.storage.sql).enqueue([{ address, id: "msg_old", content: { type: "text", text: "too late" }, reference: "ref-old" }], old);
    });
    await stub.enqueue([{ address, id: "msg_new", content: { type: "text", text: "on time" } }]);
    // The alarm the enqueue armed may have run already; running it again is harmless.
    await runDurableObjectAlarm(stub);
    const status = async (id: string) => ((await stub.message(id, "acme")) as { status: string } | null)?.status;
    for (let i = 0; i < 100 && (await status("msg_new")) === "queued"; i++) await new Promise((r) => setTimeout(r, 50));
    const expired = await stub.message("msg_old", "acme");
    expect(expired).toMatchObject({ status: "failed", attempts: 0, error: { reason: "expired" } });
    expect(await status("msg_new")).toBe("sent");
    const letters = await endpointOf("acme").deadLetters(1000);
    expect(letters).toContainEqual(expect.objectContaining({ id: "msg_old", kind: "message", reason: "expired" }));
  });
});
