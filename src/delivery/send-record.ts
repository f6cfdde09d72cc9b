import type { StatusError } from "../model";
import { PAUSING_REASONS } from "./account-session";
import type { ConversationStore } from "./conversation-store";
import { stageStatus } from "./conversation-statuses";
import type { PendingMessage } from "./conversation-tables";
import type { SendDecision } from "./send-outcome";

/** When and how an attempt's outcome is recorded. */
export interface RecordContext {
  now: number;
  /** When the next message of the conversation may go after this one is sent (the per-chat rate). */
  nextSendAt: number;
  /** When a message held by a paused account is looked at again. */
  pausedUntil: number;
}

/**
 * Records in a conversation shard's storage what one send attempt came to, inside the caller's
 * transaction: the message sent (its `sent` event staged once its last part is), failed for good (its
 * `failed` event staged, and the conversation moves on), or deferred, first in its conversation. A
 * failure that says the account cannot send is not the message's: it waits for the account to be
 * resumed, and the error is answered so that the caller pauses the account.
 */
export function recordAttempt(store: ConversationStore, head: PendingMessage, decision: SendDecision, at: RecordContext): StatusError | undefined {
  if (decision.kind === "fail" && PAUSING_REASONS.has(decision.error.reason)) {
    store.deferHead(head, at.pausedUntil, `account paused: ${decision.error.reason}`);
    return decision.error;
  }
  if (decision.kind === "sent") {
    store.markPartSent(head, decision.platformMessageId, head.partsSent, decision.last, at.now, at.nextSendAt);
    if (decision.last) {
      stageStatus(store, head.address, {
        messageId: head.id,
        platformMessageId: decision.platformMessageId,
        ...(head.reference && { reference: head.reference }),
        status: "sent",
        timestamp: new Date(at.now).toISOString(),
      });
    }
  } else if (decision.kind === "fail") {
    recordFailure(store, head, decision.error, decision.countAttempt, at.now);
  } else {
    store.deferHead(head, at.now + decision.delayMs, decision.detail, decision.counted);
    console.warn(`conversation: message ${head.id} attempt ${head.attempts + 1} deferred ${decision.delayMs} ms: ${decision.detail}`);
  }
}

/** Fails a message for good and stages its `failed` event (inside the caller's transaction). */
export function recordFailure(store: ConversationStore, head: PendingMessage, error: StatusError, countAttempt: boolean, now: number): void {
  store.markFailed(head, error, now, countAttempt);
  stageStatus(store, head.address, {
    messageId: head.id,
    ...(head.reference && { reference: head.reference }),
    status: "failed",
    timestamp: new Date(now).toISOString(),
    error,
    attempts: head.attempts + (countAttempt ? 1 : 0),
  });
}
