import type { FailureReason } from "../../model";
import { retryAfterSeconds } from "../http";
import type { SendResult } from "../types";

/** How much of an error body is kept in a failure's detail. */
const MAX_DETAIL_BODY = 200;

/**
 * Apple's gateway answers with bare HTTP statuses (its bodies are empty or free text). The statuses that
 * end a message for good, by the reason clients see: 400 malformed or unacceptable payload, 413 payload
 * too large, 401/403 a token Apple does not accept for this MSP or business, 404 an opaque id Apple does
 * not know, 410 a customer who deleted the conversation or blocked the business.
 * @see https://register.apple.com/resources/messages/msp-rest-api/common-specs (Response Codes)
 * @see https://support.apple.com/guide/security/sec1c603aab4/web (customers can delete and block)
 */
const PERMANENT_STATUSES: Record<number, FailureReason> = {
  400: "content_rejected",
  413: "content_rejected",
  401: "auth_failed",
  403: "auth_failed",
  404: "recipient_invalid",
  410: "recipient_blocked",
};

/** For the attachment steps (preUpload, MMCS upload), where no recipient is involved yet. */
const MEDIA_PERMANENT_STATUSES: Record<number, FailureReason> = {
  401: "auth_failed",
  403: "auth_failed",
};

/** Statuses that mean "not now": throttling, timeouts and server trouble. */
function isTransient(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** A send that did not go through: retry later, or failed for good. */
export type AppleFailure = Exclude<SendResult, { kind: "ok" }>;

/** What the relay calls on Apple: the message itself, or a step of an attachment's upload. */
export type AppleStep = "message" | "media";

/**
 * Classifies a failed answer from Apple's gateway (or MMCS). Throttling and 5xx are retried, honouring
 * Retry-After; known 4xx are permanent with their reason; anything else is a permanent platform_error.
 */
export function classifyAppleFailure(res: Response, bodyText: string, step: AppleStep = "message"): AppleFailure {
  const snippet = bodyText.trim().slice(0, MAX_DETAIL_BODY);
  const detail = `Apple ${step === "media" ? "attachment upload " : ""}answered ${res.status}${snippet ? `: ${snippet}` : ""}`;
  if (isTransient(res.status)) return { kind: "retry", afterSeconds: retryAfterSeconds(res.headers), detail };
  const reason =
    (step === "message" ? PERMANENT_STATUSES[res.status] : MEDIA_PERMANENT_STATUSES[res.status]) ??
    (step === "media" ? "media_failed" : "platform_error");
  return { kind: "failed", error: { reason, code: String(res.status), detail } };
}

/**
 * Classifies Apple's answer to `POST /v1/message`. Apple answers 200 with an empty body: the message id
 * is the one the relay chose and sent in the `id` header.
 * @see https://register.apple.com/resources/messages/msp-rest-api/messages-sent
 */
export function classifySendResponse(res: Response, bodyText: string, platformMessageId: string): SendResult {
  if (res.ok) return { kind: "ok", platformMessageId };
  return classifyAppleFailure(res, bodyText, "message");
}
