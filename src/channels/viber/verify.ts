import { hmacSha256, secretsEqual, toHex } from "../../crypto";
import type { WebhookRequest } from "../types";
import type { ViberAccount } from "./account";

/**
 * Viber signs every callback: lowercase hex HMAC-SHA256 of the raw body, keyed with the bot's auth token.
 * @see https://creators.viber.com/docs/bots-api/getting-started/web-hooks
 */
export const VIBER_SIGNATURE_HEADER = "x-viber-content-signature";

/**
 * A signed callback older than this is a replay. Viber retries an unanswered callback for about an hour;
 * a day leaves room for that, and the relay's event ids dedupe anything replayed within it.
 * @see https://developers.viber.com/docs/faq/
 */
export const MAX_EVENT_AGE_MS = 24 * 3600_000;
/** How far ahead of our clock a callback's timestamp may be (clock skew). */
export const MAX_CLOCK_SKEW_MS = 10 * 60_000;

const SIGNATURE = /^[0-9a-f]{64}$/;

/**
 * Whether a verified body is recent enough: its `timestamp` (epoch ms, covered by the signature) is
 * within the replay window. Viber puts one in every callback; a body without a numeric one is refused,
 * since nothing else would bound its replay.
 */
export function isFreshViberEvent(body: Uint8Array, now = Date.now()): boolean {
  let timestamp: unknown;
  try {
    timestamp = (JSON.parse(new TextDecoder().decode(body)) as { timestamp?: unknown } | null)?.timestamp;
  } catch {
    return false;
  }
  if (typeof timestamp !== "number" || !Number.isFinite(timestamp)) return false;
  return now - timestamp <= MAX_EVENT_AGE_MS && timestamp - now <= MAX_CLOCK_SKEW_MS;
}

/** Whether `signature` is the hex HMAC-SHA256 of the raw body under the bot token (constant time). */
export async function viberSignatureMatches(body: Uint8Array, signature: string | null, authToken: string): Promise<boolean> {
  const presented = (signature ?? "").trim().toLowerCase();
  if (!SIGNATURE.test(presented)) return false;
  return secretsEqual(presented, toHex(await hmacSha256(authToken, body)));
}

async function check(req: WebhookRequest, authToken: string): Promise<boolean> {
  if (!(await viberSignatureMatches(req.body, req.headers.get(VIBER_SIGNATURE_HEADER), authToken))) return false;
  // Parsed only now, once the bytes are known to be Viber's.
  return isFreshViberEvent(req.body);
}

/** The handshake and the webhook route verify the same request: compute the HMAC once. */
const verdicts = new WeakMap<WebhookRequest, { authToken: string; verdict: Promise<boolean> }>();

/**
 * True when `X-Viber-Content-Signature` is the HMAC of the raw body under the account's auth token
 * (compared in constant time) and the callback is not a replay.
 * @see https://creators.viber.com/docs/bots-api/getting-started/web-hooks
 */
export function verifyViberWebhook(req: WebhookRequest, account: ViberAccount): Promise<boolean> {
  const known = verdicts.get(req);
  if (known && known.authToken === account.authToken) return known.verdict;
  const verdict = check(req, account.authToken);
  verdicts.set(req, { authToken: account.authToken, verdict });
  return verdict;
}

/**
 * Answers the `webhook` callback Viber sends while `set_webhook` runs: it is signed like every callback,
 * and `set_webhook` only succeeds when it gets a 200. Any other request (or a badly signed one, which
 * the route then refuses with 401) is not a handshake.
 * @see https://creators.viber.com/docs/bots-api/getting-started/web-hooks
 */
export async function viberHandshake(req: WebhookRequest, account: ViberAccount): Promise<Response | null> {
  if (req.method !== "POST" || !(await verifyViberWebhook(req, account))) return null;
  let event: unknown;
  try {
    event = (JSON.parse(new TextDecoder().decode(req.body)) as { event?: unknown } | null)?.event;
  } catch {
    return null;
  }
  return event === "webhook" ? new Response(null, { status: 200 }) : null;
}
