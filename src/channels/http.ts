/** Helpers shared by channels for reading platform HTTP answers. */

/** Most a platform can make us wait on one `Retry-After` (beyond it, backoff takes over). */
const MAX_RETRY_AFTER_SECONDS = 3600;

/**
 * Reads `Retry-After` as seconds: either delta-seconds or an HTTP date.
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export function retryAfterSeconds(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  const seconds = /^\d+$/.test(value) ? Number(value) : (Date.parse(value) - now) / 1000;
  if (!Number.isFinite(seconds)) return undefined;
  return Math.min(Math.max(0, Math.ceil(seconds)), MAX_RETRY_AFTER_SECONDS);
}

/** Parses a JSON body without throwing: platforms answer HTML error pages too. */
export async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Unix seconds (a number or a numeric string) as an ISO date; now when absent or malformed. */
export function unixSecondsToIso(value: unknown, now = Date.now()): string {
  const n = typeof value === "string" ? Number(value) : typeof value === "number" ? value : NaN;
  return new Date(Number.isFinite(n) && n > 0 ? n * 1000 : now).toISOString();
}

/** A short, stable, non-cryptographic fingerprint (FNV-1a) for items the platform gives no id. */
export function fingerprint(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}
