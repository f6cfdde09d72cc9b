import * as z from "zod";
import { ConversationAddress } from "./address";
import { MessageStatus, StatusError } from "./inbound";
import { OutboundContent } from "./outbound";

/** One step of a message's life, in the order it happened. */
export const StatusTransition = z.object({
  status: MessageStatus,
  at: z.iso.datetime(),
  error: StatusError.optional(),
});
export type StatusTransition = z.infer<typeof StatusTransition>;

/** What `GET /v1/messages/{id}` answers. */
export const MessageRecord = z.object({
  id: z.string(),
  conversation: ConversationAddress,
  content: OutboundContent,
  reference: z.string().optional(),
  status: MessageStatus,
  platformMessageId: z.string().optional(),
  attempts: z.number().int(),
  error: StatusError.optional(),
  createdAt: z.iso.datetime(),
  history: z.array(StatusTransition),
});
export type MessageRecord = z.infer<typeof MessageRecord>;

/** The answer to an accepted send (HTTP 202). */
/** Something the client should know about a send that was queued anyway (the window was closed under an `advise` policy). */
export const SendWarning = z.object({ code: z.string(), detail: z.string() });
export type SendWarning = z.infer<typeof SendWarning>;

export const SendAccepted = z.object({
  id: z.string(),
  status: z.literal("queued"),
  conversation: ConversationAddress,
  warnings: z.array(SendWarning).optional(),
});
export type SendAccepted = z.infer<typeof SendAccepted>;

const STATUS_RANK: Record<MessageStatus, number> = { queued: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

/**
 * Whether a status may replace the current one: statuses only move forward (queued < sent < delivered <
 * read) and failed is terminal, so a late or out-of-order report never moves a message backwards.
 * A platform may report `failed` after `sent` (async failure) but never after delivered or read.
 */
export function canTransition(from: MessageStatus, to: MessageStatus): boolean {
  if (from === "failed" || from === to) return false;
  if (to === "failed") return STATUS_RANK[from] <= STATUS_RANK.sent;
  return STATUS_RANK[to] > STATUS_RANK[from];
}
