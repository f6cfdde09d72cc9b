import { retryAfterSeconds } from "../http";
import type { SendResult } from "../types";
import { firstError, toStatusError } from "../whatsapp/errors";

/** Codes that mean "not now": the same message may go through later. */
const TRANSIENT_CODES = new Set([1014, 1015, 1000, 130429, 131056]);

/**
 * Classifies the container's answer to `POST /v1/messages`. 429 and 503 are throttling (honour
 * Retry-After); other 5xx are transient; 4xx with a known code are permanent with its reason; 401 and
 * 403 are `auth_failed`.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/errors
 */
export function classifySendResponse(res: Response, body: unknown): SendResult {
  if (res.ok) {
    const id = (body as { messages?: { id?: unknown }[] } | undefined)?.messages?.[0]?.id;
    if (typeof id === "string" && id) return { kind: "ok", platformMessageId: id };
    return { kind: "retry", detail: "container accepted the message without an id" };
  }
  const error = firstError(body);
  const label = `container answered ${res.status}${error?.code ? ` (code ${error.code})` : ""}`;
  if (res.status === 429 || res.status === 503 || res.status >= 500 || res.status === 408) {
    return { kind: "retry", afterSeconds: retryAfterSeconds(res.headers), detail: label };
  }
  if (error?.code !== undefined && TRANSIENT_CODES.has(error.code)) {
    return { kind: "retry", afterSeconds: retryAfterSeconds(res.headers), detail: label };
  }
  // The adapter logs in again on a 401 before this sees it: a 401 or 403 here is a login the container refuses.
  const refused = res.status === 401 || res.status === 403;
  if (error) {
    const status = toStatusError(error);
    return { kind: "failed", error: refused && status.reason === "platform_error" ? { ...status, reason: "auth_failed" } : status };
  }
  if (refused) return { kind: "failed", error: { reason: "auth_failed", code: String(res.status), detail: label } };
  return { kind: "failed", error: { reason: "platform_error", code: String(res.status), detail: label } };
}
