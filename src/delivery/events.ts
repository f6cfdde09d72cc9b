import type { ParsedEvent } from "../channels/types";
import { sha256Hex } from "../crypto";
import type { ConversationAddress, InboundEvent } from "../model";

/**
 * A deterministic event id: the same platform event (or the same status of the same message) always gets
 * the same id, so that redeliveries are recognised and a business can dedupe on `webhook-id`.
 */
export async function eventId(tenant: string, key: string): Promise<string> {
  return `evt_${(await sha256Hex(`${tenant}\n${key}`)).slice(0, 32)}`;
}

/** Turns a parsed received message or channel error into a unified event of a tenant. */
export async function toInboundEvent(
  parsed: Exclude<ParsedEvent, { type: "message.status" }>,
  base: Omit<ConversationAddress, "peer">,
  now = new Date(),
): Promise<InboundEvent> {
  const id = await eventId(base.tenant, `${base.account}:${parsed.dedupeKey}`);
  const createdAt = now.toISOString();
  if (parsed.type === "message.received") {
    return { id, createdAt, type: "message.received", conversation: { ...base, peer: parsed.peer }, message: parsed.message };
  }
  return { id, createdAt, type: "channel.error", conversation: { ...base, peer: "-" }, error: parsed.error };
}
