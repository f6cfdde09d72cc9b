import type { ParsedEvent } from "../types";
import { customerOrThrow, epochToIso, int, list, str, type Item, type Obj } from "./item";

type Status = Extract<ParsedEvent, { type: "message.status" }>;

/**
 * Delivery receipts: one `delivered` per listed mid, and the watermark (everything sent before it is
 * delivered; `mids` may be absent).
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-deliveries
 */
export function deliveryEvents(item: Item, d: Obj): Status[] {
  const peer = customerOrThrow(item, "delivery").id;
  const events: Status[] = list(d.mids)
    .map(str)
    .filter((mid): mid is string => mid !== undefined)
    .map((mid) => ({
      type: "message.status",
      peer,
      dedupeKey: `delivery:${mid}`,
      status: { platformMessageId: mid, status: "delivered", timestamp: item.timestamp },
    }));
  const watermark = int(d.watermark);
  if (watermark !== undefined) {
    events.push({
      type: "message.status",
      peer,
      dedupeKey: `delivery:${peer}:${watermark}`,
      status: { watermark: epochToIso(watermark, 0), status: "delivered", timestamp: item.timestamp },
    });
  }
  if (events.length === 0) throw new Error("delivery without mids or watermark");
  return events;
}

/**
 * A read receipt: every message sent to the customer before the watermark is read.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-reads
 */
export function readEvent(item: Item, r: Obj): Status {
  const peer = customerOrThrow(item, "read").id;
  const watermark = int(r.watermark);
  if (watermark === undefined) throw new Error("read without watermark");
  return {
    type: "message.status",
    peer,
    dedupeKey: `read:${peer}:${watermark}`,
    status: { watermark: epochToIso(watermark, 0), status: "read", timestamp: item.timestamp },
  };
}
