import sha256 from "fast-sha256";
import type { ParsedEvent } from "../channels/types";
import { toHex } from "../crypto";
import type { ConversationAddress, InboundEvent } from "../model";

const encoder = new TextEncoder();

/**
 * A deterministic event id: the same platform event (or the same status of the same relay message)
 * always gets the same id, so that redeliveries are recognised and a business can dedupe on `webhook-id`.
 * Synchronous, so that ids can be made inside a storage transaction.
 */
export function eventId(tenant: string, key: string): string {
  return `evt_${toHex(sha256(encoder.encode(`${tenant}\n${key}`))).slice(0, 32)}`;
}

/** Turns a parsed customer event or channel error into a unified event of a tenant. */
export function toInboundEvent(
  parsed: Exclude<ParsedEvent, { type: "message.status" }>,
  base: Omit<ConversationAddress, "peer">,
  now = new Date(),
): InboundEvent {
  const id = eventId(base.tenant, `${base.account}:${parsed.dedupeKey}`);
  const createdAt = now.toISOString();
  if (parsed.type === "channel.error") {
    return { id, createdAt, type: "channel.error", conversation: { ...base, peer: "-" }, error: parsed.error };
  }
  const { peer, dedupeKey: _, ...event } = parsed;
  return { ...event, id, createdAt, conversation: { ...base, peer } } as InboundEvent;
}
