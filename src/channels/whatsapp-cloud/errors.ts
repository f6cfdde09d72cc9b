import { retryAfterSeconds } from "../http";
import type { SendResult } from "../types";
import { graphError } from "../meta/graph-error";
import { toStatusError } from "../whatsapp/errors";

/**
 * Graph codes that mean "too many requests right now": app (4), WhatsApp Business Account (80007) and
 * number (130429) throughput, the pair rate to one customer (131056) and registration attempts (133016).
 * The same message goes through later. 131048 (spam rate limit) is deliberately not here: it follows from
 * the number's quality rating and lasts hours or days, so retries within the relay's retry budget only
 * add blocked sends; the message fails at once as `rate_limited` and the business decides.
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes#throttling-errors
 */
export const THROTTLING_CODES: ReadonlySet<number> = new Set([4, 80007, 130429, 131056, 133016]);

/** Passing faults on Meta's side: service down or overloaded (2), unknown error (131000), unavailable (131016), number in maintenance (131057). */
export const TRANSIENT_CODES: ReadonlySet<number> = new Set([2, 131000, 131016, 131057]);

/**
 * Pair rate limit: about one message every 6 seconds to the same customer (bursts allowed). Graph sends
 * no Retry-After, so 131056 waits this long rather than the generic backoff.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/throughput
 */
export const PAIR_RATE_RETRY_SECONDS = 6;
const PAIR_RATE_CODE = 131056;

/**
 * Classifies the answer to `POST /{phone-number-id}/messages`. The error code decides where there is one
 * (Meta recommends code over HTTP status): throttling and transient codes retry, known codes fail with
 * their reason. Without a known code, 408/429/5xx retry (honouring Retry-After), 401/403 are
 * `auth_failed`, anything else is a permanent `platform_error`.
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
 */
export function classifyCloudSendResponse(res: Response, body: unknown): SendResult {
  if (res.ok) {
    const id = (body as { messages?: { id?: unknown }[] } | undefined)?.messages?.[0]?.id;
    if (typeof id === "string" && id) return { kind: "ok", platformMessageId: id };
    // Not Graph's answer (a proxy's page?): nothing says the message went out.
    return { kind: "retry", detail: `Graph API answered ${res.status} without a message id` };
  }
  const error = graphError(body);
  const code = error?.code;
  const label = `Graph API answered ${res.status}${code !== undefined ? ` (code ${code})` : ""}`;
  const retry = (fallback?: number): SendResult => {
    const afterSeconds = retryAfterSeconds(res.headers) ?? fallback;
    return { kind: "retry", ...(afterSeconds !== undefined && { afterSeconds }), detail: label };
  };
  if (code !== undefined && THROTTLING_CODES.has(code)) return retry(code === PAIR_RATE_CODE ? PAIR_RATE_RETRY_SECONDS : undefined);
  if (code !== undefined && TRANSIENT_CODES.has(code)) return retry();
  if (error && code !== undefined) {
    const status = toStatusError({ code, title: error.message, details: error.details });
    if (status.reason !== "platform_error" || res.status < 500) {
      const trace = error.fbtraceId ? ` (fbtrace_id ${error.fbtraceId})` : "";
      return { kind: "failed", error: { ...status, detail: `${status.detail ?? label}${trace}` } };
    }
  }
  if (res.status === 408 || res.status === 429 || res.status >= 500) return retry();
  if (res.status === 401 || res.status === 403) {
    return { kind: "failed", error: { reason: "auth_failed", code: String(res.status), detail: label } };
  }
  return { kind: "failed", error: { reason: "platform_error", code: String(code ?? res.status), detail: label } };
}
