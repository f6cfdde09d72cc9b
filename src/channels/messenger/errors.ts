import type { FailureReason, StatusError } from "../../model";
import { retryAfterSeconds } from "../http";
import type { SendResult } from "../types";
import { graphError, type GraphError } from "../meta/graph-error";

/**
 * Error codes (`error.code`) of the Send API that mean "not now": rate and call limits, and temporary
 * failures Meta asks to retry. `4` application limit, `17` user limit, `32` page limit, `613` calls
 * exceeded the rate limit, `80006` Messenger business-use-case limit, `1200` temporary send failure,
 * `1` / `2` unknown and unexpected errors ("please retry your request later").
 * @see https://developers.facebook.com/docs/messenger-platform/reference/send-api/error-codes
 * @see https://developers.facebook.com/docs/graph-api/overview/rate-limiting
 */
const TRANSIENT_CODES = new Set([1, 2, 4, 17, 32, 613, 80006, 1200]);

/** `error_subcode`s that decide the reason whatever the code. */
const PERMANENT_SUBCODES: Record<number, FailureReason> = {
  2018278: "window_closed", // (#10) This message is sent outside of allowed window
  2018001: "recipient_invalid", // (#100) No matching user found
  1545041: "recipient_blocked", // (#551) This person isn't available right now
  // UNCONFIRMED subcodes: attachment fetch / upload failures and size limits.
  2018008: "media_failed",
  2018047: "media_failed",
  2018109: "media_failed",
};

/** `error.code`s that end a message for good when no subcode decided otherwise. */
const PERMANENT_CODES: Record<number, FailureReason> = {
  // The customer blocked the Page or deactivated their account: nothing the business can fix by resending.
  551: "recipient_blocked",
  100: "content_rejected", // invalid parameter
  190: "auth_failed", // invalid or expired access token
  102: "auth_failed", // session key invalid
  10: "auth_failed", // permission denied (the window case has its own subcode, see above)
  200: "auth_failed", // permission errors 200-299
};

/**
 * Graph errors whose message says the window is closed (the News Messaging variant of #10 has a subcode
 * not confirmed here), whatever subcode they carry.
 */
const OUTSIDE_WINDOW = /outside (of )?(the )?allowed window/i;

/** `10/2018278`: the code, and the subcode when there is one, as clients see it in `error.code`. */
function codeString(e: GraphError): string | undefined {
  if (e.code === undefined) return undefined;
  return e.subcode === undefined ? String(e.code) : `${e.code}/${e.subcode}`;
}

/** The stable reason of a permanent Graph error. */
export function reasonOf(e: GraphError): FailureReason {
  if (e.subcode !== undefined && PERMANENT_SUBCODES[e.subcode]) return PERMANENT_SUBCODES[e.subcode]!;
  if (e.message && OUTSIDE_WINDOW.test(e.message)) return "window_closed";
  if (e.code !== undefined && PERMANENT_CODES[e.code]) return PERMANENT_CODES[e.code]!;
  if (e.code !== undefined && e.code >= 200 && e.code <= 299) return "auth_failed";
  return "platform_error";
}

/** A Graph error as the unified status error. */
export function toStatusError(e: GraphError): StatusError {
  const code = codeString(e);
  return { reason: reasonOf(e), ...(code && { code }), ...(e.message && { detail: e.message }) };
}

/** Most a business-use-case limit can make us wait (its estimate is in minutes). */
const MAX_REGAIN_ACCESS_SECONDS = 3600;

/**
 * How long Meta says a throttled app must wait: `estimated_time_to_regain_access` (minutes) in the
 * `X-Business-Use-Case-Usage` header, the Graph API's own retry field.
 * @see https://developers.facebook.com/docs/graph-api/overview/rate-limiting#buc-rate-limits
 */
export function regainAccessSeconds(headers: Headers): number | undefined {
  const raw = headers.get("x-business-use-case-usage");
  if (!raw) return undefined;
  let usage: unknown;
  try {
    usage = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof usage !== "object" || usage === null) return undefined;
  let minutes = 0;
  for (const entries of Object.values(usage)) {
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      const m = typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>).estimated_time_to_regain_access : undefined;
      if (typeof m === "number" && Number.isFinite(m) && m > minutes) minutes = m;
    }
  }
  return minutes > 0 ? Math.min(Math.ceil(minutes * 60), MAX_REGAIN_ACCESS_SECONDS) : undefined;
}

/**
 * Classifies the Send API's answer. A `message_id` is success. Throttling and temporary codes, 429 and
 * 5xx are retried (after `Retry-After`, or the business-use-case estimate); any other Graph error ends
 * the message with a stable reason.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/send-api#response
 * @see https://developers.facebook.com/docs/messenger-platform/reference/send-api/error-codes
 */
export function classifySendResponse(res: Response, body: unknown): SendResult {
  const error = graphError(body);
  if (res.ok && !error) {
    const id = (body as { message_id?: unknown } | undefined)?.message_id;
    if (typeof id === "string" && id) return { kind: "ok", platformMessageId: id };
    return { kind: "retry", detail: "the Send API accepted the message without a message_id" };
  }
  const code = error && codeString(error);
  const label = `Send API answered ${res.status}${code ? ` (code ${code})` : ""}${error?.message ? `: ${error.message}` : ""}`;
  const after = () => retryAfterSeconds(res.headers) ?? regainAccessSeconds(res.headers);
  // A decisive subcode wins over a generic throttling code (e.g. an attachment too large under #4).
  const decisive = error?.subcode !== undefined && PERMANENT_SUBCODES[error.subcode] !== undefined;
  if (error?.code !== undefined && TRANSIENT_CODES.has(error.code) && !decisive) {
    return { kind: "retry", afterSeconds: after(), detail: label };
  }
  if (error) {
    if (res.status >= 500 && !decisive && reasonOf(error) === "platform_error") {
      return { kind: "retry", afterSeconds: after(), detail: label };
    }
    return { kind: "failed", error: toStatusError(error) };
  }
  if (res.status === 429 || res.status === 408 || res.status >= 500) {
    return { kind: "retry", afterSeconds: after(), detail: label };
  }
  if (res.status === 401 || res.status === 403) {
    return { kind: "failed", error: { reason: "auth_failed", code: String(res.status), detail: label } };
  }
  return { kind: "failed", error: { reason: "platform_error", code: String(res.status), detail: label } };
}
