import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { WindowCheck } from "../../src/delivery/conversation-shards";
import type { ChannelId, OutboundContent } from "../../src/model";
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

describe("queueing within the messaging window", () => {
  const HOUR = 3600_000;
  const text: OutboundContent = { type: "text", text: "Your order shipped" };
  const template: OutboundContent = { type: "template", name: "order_update", language: "en" };
  it.each([
    // channel, customer last wrote (hours ago; null: never), content, check, window closed?, queued?
    ["whatsapp", null, text, { advise: false }, true, false],
    ["whatsapp", null, text, { advise: true }, true, true],
    ["whatsapp", 1, text, { advise: false }, false, true],
    ["whatsapp", 25, text, { advise: false }, true, false],
    ["whatsapp", null, template, null, false, true],
    ["messenger", 48, text, { advise: false, tag: "HUMAN_AGENT" }, false, true],
    ["messenger", 240, text, { advise: false, tag: "HUMAN_AGENT" }, true, false],
    ["messenger", 48, text, { advise: false }, true, false],
  ] as [ChannelId, number | null, OutboundContent, WindowCheck | null, boolean, boolean][])(
    "%s, customer wrote %s h ago, %j checked %j: closed %s, queued %s",
    async (channel, wroteHoursAgo, content, check, closed, queued) => {
      // A tenant without endpoints or accounts: nothing queued here reaches a platform.
      const address = { tenant: "window-table", channel, account: `${channel}-window-table`, peer: `49${crypto.randomUUID().replace(/\D/g, "").slice(0, 12)}` };
      const stub = outboxOf(address);
      if (wroteHoursAgo !== null) await stub.receive({ notes: [{ address, at: Date.now() - wroteHoursAgo * HOUR, kind: "inbound" }], statuses: [], events: [] });
      const id = `msg_${crypto.randomUUID()}`;
      const [window] = await stub.enqueue([{ address, id, content }], [check]);
      expect(window !== null).toBe(closed);
      if (window) expect(window.open).toBe(false);
      expect((await stub.message(id, "window-table")) !== null).toBe(queued);
    },
  );
});
