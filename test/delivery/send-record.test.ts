import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ConversationStore } from "../../src/delivery/conversation-store";
import type { SendDecision } from "../../src/delivery/send-outcome";
import { recordAttempt } from "../../src/delivery/send-record";
import type { MessageStatus, StatusError } from "../../src/model";

const address = { tenant: "acme", channel: "whatsapp", account: "wa-acme", peer: "4915100000001" } as const;
const NOW = 1_000_000;
const at = { now: NOW, nextSendAt: NOW + 1000, pausedUntil: NOW + 30_000 };

interface Row {
  name: string;
  decision: SendDecision;
  /** The message's status afterwards. */
  status: MessageStatus;
  /** When the conversation's head is due next: undefined when the conversation has nothing left to send. */
  nextDue: number | undefined;
  /** The status events staged. */
  staged: MessageStatus[];
  /** The error the caller must pause the account with. */
  pauses?: StatusError;
}

const rows: Row[] = [
  { name: "sent: the next message waits for the per-chat spacing", decision: { kind: "sent", platformMessageId: "wamid.1", last: true }, status: "sent", nextDue: NOW + 1000, staged: ["sent"] },
  { name: "a part sent, more to go: no event yet", decision: { kind: "sent", platformMessageId: "wamid.1", last: false }, status: "queued", nextDue: NOW + 1000, staged: [] },
  { name: "failed for good: the conversation moves on", decision: { kind: "fail", error: { reason: "recipient_invalid" }, countAttempt: true }, status: "failed", nextDue: NOW, staged: ["failed"] },
  { name: "deferred: it stays first, due after the delay", decision: { kind: "defer", delayMs: 5000, detail: "503" }, status: "queued", nextDue: NOW + 5000, staged: [] },
  {
    name: "the account cannot send: it waits for the account, which is paused",
    decision: { kind: "fail", error: { reason: "auth_failed", detail: "401" }, countAttempt: true },
    status: "queued",
    nextDue: NOW + 30_000,
    staged: [],
    pauses: { reason: "auth_failed", detail: "401" },
  },
];

describe("recording a send attempt", () => {
  for (const row of rows) {
    it(row.name, () =>
      runInDurableObject(env.CONVERSATIONS.get(env.CONVERSATIONS.newUniqueId()), (_, state) => {
        const store = new ConversationStore(state.storage.sql, () => NOW);
        const text = (t: string) => ({ type: "text", text: t }) as const;
        store.enqueue([{ address, id: "m1", content: text("one") }, { address, id: "m2", content: text("two") }], NOW);
        const head = store.due(NOW, 1)[0]!;
        expect(recordAttempt(store, head, row.decision, at)).toEqual(row.pauses);
        expect(store.record("m1")?.status).toBe(row.status);
        // The head is m2 once m1 is done with, m1 itself otherwise: either way, due when the row says.
        expect(store.nextDue()).toBe(row.nextDue);
        expect(store.staged.pending().map((s) => (s.event.type === "message.status" ? s.event.status.status : s.event.type))).toEqual(row.staged);
      }),
    );
  }
});
