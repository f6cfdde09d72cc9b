import type { ParsedEvent } from "../channels/types";
import type { ConversationAddress, InboundEvent, MessageStatusEvent } from "../model";
import type { ConversationStore } from "./conversation-store";
import { eventId } from "./events";

type ParsedStatus = Extract<ParsedEvent, { type: "message.status" }>;
type StatusFields = MessageStatusEvent["status"];

/** One conversation's statuses from one webhook. */
export interface ConversationStatuses {
  address: ConversationAddress;
  statuses: ParsedStatus[];
}

/**
 * Records one platform status in its conversation (a status never moves a message backwards) and stages
 * the event it makes, inside the caller's transaction. A watermark moves every relay message up to it, and
 * is also forwarded as such (`upTo`), since it covers messages written in the platform's own inbox too.
 */
export function applyPlatformStatus(store: ConversationStore, address: ConversationAddress, s: ParsedStatus): void {
  const { status, timestamp, error, pricing, platformConversation } = s.status;
  const at = Date.parse(timestamp);
  if ("watermark" in s.status) {
    const { watermark } = s.status;
    for (const m of store.applyWatermark(address.peer, status, Date.parse(watermark), at)) {
      stageStatus(store, address, {
        messageId: m.messageId,
        ...(m.platformId && { platformMessageId: m.platformId }),
        ...(m.reference && { reference: m.reference }),
        status,
        timestamp,
      });
    }
    stageEvent(store, address, `${address.account}:${s.dedupeKey}`, { status, timestamp, upTo: new Date(Date.parse(watermark)).toISOString() });
    return;
  }
  const { platformMessageId } = s.status;
  const update = store.applyPlatformStatus(platformMessageId, status, at, error);
  // A redelivered status was staged the first time: nothing to hand over again.
  if (update.seen) return;
  // Keyed by the relay's message when known, so the platform's `sent` and the relay's own are one event.
  const key = update.messageId ? `${update.messageId}:${status}` : `${address.account}:${s.dedupeKey}`;
  stageEvent(store, address, key, {
    ...(update.messageId && { messageId: update.messageId }),
    platformMessageId,
    ...(update.reference && { reference: update.reference }),
    status,
    timestamp,
    ...(error && { error }),
    ...(pricing && { pricing }),
    ...(platformConversation && { platformConversation }),
  });
}

/** Stages a status event of a relay message: one per message and status, however often it is reported. */
export function stageStatus(store: ConversationStore, address: ConversationAddress, status: StatusFields & { messageId: string }): void {
  stageEvent(store, address, `${status.messageId}:${status.status}`, status);
}

function stageEvent(store: ConversationStore, address: ConversationAddress, key: string, status: StatusFields): void {
  const event: InboundEvent = { id: eventId(address.tenant, key), createdAt: new Date().toISOString(), type: "message.status", conversation: address, status };
  store.staged.add(event);
}
