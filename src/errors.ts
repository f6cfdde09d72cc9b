import * as z from "zod";
import type { ZodError } from "zod";

/** Every `code` a problem document can carry: stable strings clients branch on. */
export type ProblemCode =
  | "account_exists"
  | "action_failed"
  | "action_unsupported"
  | "account_not_found"
  | "account_required"
  | "api_key_not_found"
  | "body_too_large"
  | "config_invalid"
  | "content_refused"
  | "dead_letter_not_found"
  | "endpoint_disabled"
  | "endpoint_exists"
  | "endpoint_limit"
  | "endpoint_not_found"
  | "idempotency_key_reused"
  | "insufficient_scope"
  | "internal_error"
  | "invalid_api_key"
  | "invalid_authorization"
  | "invalid_idempotency_key"
  | "invalid_json"
  | "invalid_recipient"
  | "invalid_reply_to"
  | "invalid_signature"
  | "invalid_token"
  | "json_too_deep"
  | "media_not_found"
  | "media_unavailable"
  | "media_url_expired"
  | "message_id_required"
  | "message_not_found"
  | "method_not_allowed"
  | "missing_credentials"
  | "no_endpoint"
  | "not_found"
  | "operator_required"
  | "unknown_account"
  | "unknown_webhook"
  | "unsupported_content"
  | "unsupported_media_type"
  | "url_refused"
  | "window_closed"
  | "conversation_not_found"
  | "storage_busy"
  | "tag_unsupported"
  | "tenant_exists"
  | "tenant_not_in_registry"
  | "tenant_not_found"
  | "tenant_suspended"
  | "validation_failed";

/**
 * An error a client can act on. It carries its HTTP status and a stable `code`; `app.onError` turns it
 * into an `application/problem+json` body.
 * @see https://www.rfc-editor.org/rfc/rfc9457
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  405: "Method Not Allowed",
  410: "Gone",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/**
 * The body of every error answer: an RFC 9457 problem document with the relay's stable `code`, plus
 * each bad field in `errors` (validation_failed), `requestId` on a 500 and `requiredScope` on
 * insufficient_scope.
 * @see https://www.rfc-editor.org/rfc/rfc9457#name-members-of-a-problem-detail
 */
export const Problem = z.looseObject({
  type: z.url().describe("Names the problem: https://messenger-relay.dev/problems/<code>."),
  title: z.string().describe("The HTTP status, in words."),
  status: z.number().int(),
  detail: z.string().describe("What went wrong with this request, and what to do."),
  code: z.string().describe("A stable string to branch on, such as validation_failed."),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional().describe("Every bad field, by its path in the body."),
  requestId: z.string().optional().describe("The request's id in the relay's logs, on an internal error."),
  requiredScope: z.string().optional().describe("The scope the credential lacks."),
});
export type Problem = z.infer<typeof Problem>;

/** Renders an RFC 9457 problem document. */
export function problemResponse(
  status: number,
  code: ProblemCode,
  detail: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  const body: Problem = { type: `https://messenger-relay.dev/problems/${code}`, title: TITLES[status] ?? "Error", status, code, detail, ...extra };
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/problem+json", ...headers },
  });
}

/** A request body that does not match its schema: 422 with every offending field by path. */
export function validationProblem(error: ZodError, what = "request body"): ProblemError {
  const errors = error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  const first = errors[0];
  const summary = first ? `${first.path || "(root)"}: ${first.message}` : "invalid";
  return new ProblemError(422, "validation_failed", `The ${what} is invalid: ${summary}`, { errors });
}

/** `["tenants", 0, "accounts", 1, "id"]` → `tenants[0].accounts[1].id` */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}
