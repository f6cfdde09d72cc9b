/** The prefix of a Standard Webhooks secret; what follows is the key in base64. */
const SECRET_PREFIX = "whsec_";
/** Imported keys kept per isolate: an isolate delivers to a few endpoints, each with one or two secrets. */
export const SIGNING_KEY_CACHE_SIZE = 64;
const BASE64_ALPHABET = /^[A-Za-z0-9+/]*$/;

const encoder = new TextEncoder();
/** Imported HMAC keys by secret, oldest first; a promise, so that parallel deliveries import a key once. */
const keys = new Map<string, Promise<CryptoKey>>();

/**
 * The key bytes of a secret, decoded as the reference library (`standardwebhooks` 1.1.1, with
 * @stablelib/base64) decodes them, so that a receiver using it verifies what the relay signs: `whsec_`
 * is removed when present (and only then); the rest is standard base64, with at most two `=` of padding
 * at its end, or none; fewer than four characters are refused; a last group of one character is ignored
 * (it holds no whole byte); any other character is refused; an empty key is refused.
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#signature-scheme
 */
export function secretKeyBytes(secret: string): Uint8Array {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded === "") throw new Error("A webhook secret can't be empty");
  const padding = encoded.length - encoded.replace(/=+$/, "").length;
  if (encoded.length < 4 || padding > 2) throw new Error("A webhook secret has incorrect base64 padding");
  let data = encoded.slice(0, encoded.length - padding);
  if (data.length % 4 === 1) data = data.slice(0, -1);
  if (!BASE64_ALPHABET.test(data)) throw new Error("A webhook secret has characters that are not base64");
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  if (bytes.length === 0) throw new Error("A webhook secret can't be empty");
  return bytes;
}

/** The HMAC-SHA256 key of a secret, imported once and kept among the most recently used. */
function signingKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key) {
    keys.delete(secret);
  } else {
    key = crypto.subtle.importKey("raw", secretKeyBytes(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    key.catch(() => keys.delete(secret));
    if (keys.size >= SIGNING_KEY_CACHE_SIZE) keys.delete(keys.keys().next().value!);
  }
  keys.set(secret, key);
  return key;
}

function toBase64(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)));
}

/**
 * Headers that sign one delivery per Standard Webhooks: `webhook-id` (the event id, stable across
 * retries), `webhook-timestamp` (seconds) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of
 * `id.timestamp.body` with the endpoint's `whsec_` secret). While a rotated secret is still valid, the
 * delivery carries one signature per secret, space-separated, and a receiver accepts any it can verify.
 * Rejects when a secret is not a Standard Webhooks secret (see `secretKeyBytes`).
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#signature-scheme
 */
export async function signWebhook(secrets: readonly string[], id: string, body: string, now = new Date()): Promise<Record<string, string>> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const content = encoder.encode(`${id}.${timestamp}.${body}`);
  const signatures = await Promise.all(
    secrets.map(async (secret) => `v1,${toBase64(await crypto.subtle.sign("HMAC", await signingKey(secret), content))}`),
  );
  return { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signatures.join(" ") };
}
