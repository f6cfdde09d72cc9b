import { CLOUD_PHONE_NUMBER_ID } from "./account";

/**
 * One Cloud API webhook body carrying `count` `delivered` statuses, each for another customer, as Meta
 * batches them after a broadcast. Platform message ids start with `prefix`.
 */
export function statusBatch(count: number, prefix: string): string {
  const now = String(Math.floor(Date.now() / 1000));
  const statuses = Array.from({ length: count }, (_, i) => ({
    id: `${prefix}${i}`,
    status: "delivered",
    timestamp: now,
    recipient_id: String(4915100000000 + i),
  }));
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{ id: "1", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { phone_number_id: CLOUD_PHONE_NUMBER_ID }, statuses } }] }],
  });
}
