import { webhookRetryDelayMs } from "./retry-policy";

/** An endpoint that has failed every delivery for this long is disabled; its events are kept. */
export const ENDPOINT_DISABLE_AFTER_MS = 5 * 24 * 3600_000;

/** How one delivery attempt to a business endpoint ended. */
export type DeliveryResponse =
  | { kind: "answered"; status: number; retryAfterSeconds?: number }
  | { kind: "unreachable"; detail: string };

/** What happens to the event, and to the endpoint, after an attempt. */
export type DeliveryDecision =
  | { kind: "delivered" }
  | {
      kind: "failed";
      failure: string;
      /** When to try this event again. */
      retryAt: number;
      /** The endpoint stops receiving deliveries (its events are kept), for this reason. */
      disable?: string;
    };

/**
 * Decides after one delivery: any 2xx delivers; 410 Gone disables the endpoint at once (the receiver
 * wants no more, per Standard Webhooks); anything else is retried on the Standard Webhooks schedule (or
 * after the endpoint's Retry-After), and an endpoint that has failed every delivery since `failingSince`
 * for ENDPOINT_DISABLE_AFTER_MS is disabled. Pure: the clock and the time scale are arguments.
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#deliverability-and-reliability
 */
export function decideAfterDelivery(
  response: DeliveryResponse,
  attempts: number,
  failingSince: number | undefined,
  now: number,
  scale = 1,
): DeliveryDecision {
  if (response.kind === "answered" && response.status >= 200 && response.status < 300) return { kind: "delivered" };
  const failure = response.kind === "answered" ? `HTTP ${response.status}` : response.detail;
  if (response.kind === "answered" && response.status === 410) {
    return { kind: "failed", failure, retryAt: now, disable: "the endpoint answered 410 Gone" };
  }
  const retryAt = now + webhookRetryDelayMs(attempts + 1, response.kind === "answered" ? response.retryAfterSeconds : undefined, scale);
  const since = failingSince ?? now;
  const disable = now - since > ENDPOINT_DISABLE_AFTER_MS * scale ? `every delivery failed since ${new Date(since).toISOString()}` : undefined;
  return { kind: "failed", failure, retryAt, ...(disable && { disable }) };
}
