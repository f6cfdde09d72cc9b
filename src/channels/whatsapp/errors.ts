/** WhatsApp's error codes, shared by the container and the Cloud API, mapped to the relay's failure reasons. */
import type { FailureReason, StatusError } from "../../model";

/**
 * WhatsApp error codes that end a message for good, by the reason clients see.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/errors
 * @see https://www.twilio.com/docs/whatsapp/api/error-code-mapping
 */
const PERMANENT_CODES: Record<number, FailureReason> = {
  470: "window_closed", // outside the 24-hour customer-care window: send a template
  131047: "window_closed",
  471: "rate_limited", // spam rate limit: the number's quality is too low to send more now
  1006: "recipient_invalid", // resource not found / unknown contact
  1013: "recipient_invalid", // not a WhatsApp user
  1026: "recipient_invalid", // receiver incapable of receiving this message
  131026: "recipient_invalid",
  1005: "auth_failed",
  1008: "content_rejected", // required parameter missing
  1009: "content_rejected", // parameter value invalid
  100: "content_rejected",
  2000: "content_rejected", // template parameter count mismatch
  2001: "content_rejected", // template missing
  1011: "media_failed",
  131053: "media_failed",
  // Cloud API (Graph) codes: the same numbers come back synchronously and in `failed` status webhooks.
  // @see https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
  0: "auth_failed", // AuthException: the access token expired or was invalidated
  3: "auth_failed", // capability or permission missing
  10: "auth_failed", // permission denied
  190: "auth_failed", // access token expired or invalid
  131005: "auth_failed", // access denied
  // The number or its business account cannot send at all: the account's queues pause until it is fixed.
  131031: "account_disabled", // business account locked
  131042: "account_disabled", // business eligibility payment issue
  131045: "account_disabled", // phone number not registered correctly (certificate)
  133010: "account_disabled", // phone number not registered on the Cloud API
  368: "account_disabled", // temporarily blocked for policy violations
  131008: "content_rejected", // required parameter missing
  131009: "content_rejected", // parameter value not valid
  131051: "unsupported_content", // message type not supported
  131062: "unsupported_content", // this kind of message cannot go to a business-scoped user id
  131021: "recipient_invalid", // recipient cannot be the sender
  131030: "recipient_invalid", // a test number may only message its allowed list
  131050: "recipient_blocked", // the user stopped marketing messages from this business
  // Quality and ecosystem limits last hours or days: retrying in minutes only adds to the spam signal.
  131048: "rate_limited", // spam rate limit
  131049: "rate_limited", // per-user marketing limit ("healthy ecosystem engagement")
  // Throughput limits: a send retries them; they only end a message when a `failed` status reports them.
  4: "rate_limited",
  80007: "rate_limited",
  130429: "rate_limited",
  131056: "rate_limited",
  133016: "rate_limited",
  131052: "media_failed", // media download error
  131014: "media_failed", // fetching the media link failed (seen in `failed` statuses)
};

/** Code ranges: Graph permission errors (200-299) and Cloud template errors (132000-132999). */
function reasonOfRange(code: number): FailureReason | undefined {
  if (code >= 200 && code <= 299) return "auth_failed";
  if (code >= 132000 && code <= 132999) return "content_rejected";
  return undefined;
}

/** One WhatsApp error, as both dialects report it. */
export interface WhatsAppError {
  code?: number;
  title?: string;
  details?: string;
}

/** The first error of an On-Premises `{"errors":[...]}` body, if any. */
export function firstError(body: unknown): WhatsAppError | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || typeof errors[0] !== "object" || errors[0] === null) return undefined;
  const e = errors[0] as Record<string, unknown>;
  // The Cloud API puts the explanation in `error_data.details` and may give `message` instead of `title`.
  const data = typeof e.error_data === "object" && e.error_data !== null ? (e.error_data as Record<string, unknown>) : {};
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  // Code 0 is a real Cloud code (AuthException), so only a missing or non-numeric code is "none".
  const code = typeof e.code === "number" ? e.code : typeof e.code === "string" && /^\d+$/.test(e.code) ? Number(e.code) : NaN;
  return {
    code: Number.isInteger(code) ? code : undefined,
    title: text(e.title) ?? text(e.message),
    details: text(e.details) ?? text(data.details),
  };
}

/** A WhatsApp error as the unified status error (for async `failed` statuses and sync refusals). */
export function toStatusError(e: WhatsAppError): StatusError {
  const reason = (e.code !== undefined && (PERMANENT_CODES[e.code] ?? reasonOfRange(e.code))) || "platform_error";
  const detail = [e.title, e.details].filter(Boolean).join(": ") || undefined;
  return { reason, ...(e.code !== undefined && { code: String(e.code) }), ...(detail && { detail }) };
}
