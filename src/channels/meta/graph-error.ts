/**
 * The error of a Graph API answer, as every Meta product on the Graph API returns it (the WhatsApp Cloud
 * API, the Messenger Send API): `{"error": {"message", "type", "code", "error_subcode", "error_data",
 * "fbtrace_id"}}`. Each channel keeps its own table of what the codes mean.
 * @see https://developers.facebook.com/docs/graph-api/guides/error-handling
 */

/** One Graph API error, read defensively: every field may be missing. */
export interface GraphError {
  code?: number;
  /** `error_subcode`: narrows the code (Messenger's `2018278` under `10`, Graph's `33` under `100`). */
  subcode?: number;
  message?: string;
  /** `OAuthException`, `GraphMethodException`, ... */
  type?: string;
  /** `error_data.details`: the WhatsApp Cloud API's explanation of the code. */
  details?: string;
  /** Meta's trace id, for support requests. */
  fbtraceId?: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** An integer, or a string of digits (proxies have been seen to quote codes). Code 0 is a real code. */
function integer(v: unknown): number | undefined {
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) ? n : undefined;
}

/**
 * The error of a Graph API answer body, if it has one; never throws on hostile input.
 * @see https://developers.facebook.com/docs/graph-api/guides/error-handling
 */
export function graphError(body: unknown): GraphError | undefined {
  if (!isObj(body) || !isObj(body.error)) return undefined;
  const e = body.error;
  const data = isObj(e.error_data) ? e.error_data : {};
  const code = integer(e.code);
  const subcode = integer(e.error_subcode);
  const message = text(e.message);
  const type = text(e.type);
  const details = text(data.details);
  const fbtraceId = text(e.fbtrace_id);
  return {
    ...(code !== undefined && { code }),
    ...(subcode !== undefined && { subcode }),
    ...(message && { message }),
    ...(type && { type }),
    ...(details && { details }),
    ...(fbtraceId && { fbtraceId }),
  };
}
