/**
 * How deeply a JSON document nests, found by one pass over its bytes (no parsing, no recursion), so that
 * a hostile body is refused before anything recursive (a structured clone to a Durable Object, a
 * canonical fingerprint) ever walks it.
 */

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Client API bodies: a message with template components needs far less. */
export const MAX_API_JSON_DEPTH = 32;
/** Platform webhooks: the deepest documented payload (Messenger, WhatsApp Cloud) nests about ten levels. */
export const MAX_WEBHOOK_JSON_DEPTH = 64;

/** The document nests deeper than the relay reads. */
export class JsonTooDeepError extends Error {
  override name = "JsonTooDeepError";
  constructor(readonly maxDepth: number) {
    super(`The JSON nests deeper than ${maxDepth} levels.`);
  }
}

/** Whether UTF-8 (or ASCII) JSON text nests deeper than `max` arrays and objects. Strings are skipped. */
export function jsonDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      if (++depth > max) return true;
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

/** Throws JsonTooDeepError when the JSON nests deeper than `max`. */
export function assertJsonDepth(bytes: Uint8Array, max: number): void {
  if (jsonDeeperThan(bytes, max)) throw new JsonTooDeepError(max);
}
