/**
 * Secrets at rest: platform tokens, app secrets, container passwords, webhook and endpoint signing secrets
 * are stored sealed with AES-256-GCM under a master key from the `RELAY_MASTER_KEY` wrangler secret. Each
 * sealed value names the key that sealed it, so the master key can be rotated: new values are sealed
 * with the first key of the ring, old ones still open with theirs until they are sealed again. The value's
 * place (its "context", such as `tenant/acme/endpoint/e1/secret`) is bound as additional data, so a
 * sealed value copied to another field or tenant does not open.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/SubtleCrypto/encrypt#aes-gcm
 */

import { ConfigError } from "../config/load";

const PREFIX = "sealed:v1";
const IV_BYTES = 12;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** The master keys, the first one sealing; all of them open. */
export interface Keyring {
  current: string;
  keys: Map<string, CryptoKey>;
}

/** The master key is missing or malformed: the operator's mistake, never a client's. */
export class KeyringError extends ConfigError {
  override name = "KeyringError";
}

const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const fromB64url = (text: string) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
const encoder = new TextEncoder();

/**
 * Reads `RELAY_MASTER_KEY`: `<id>:<base64 of 32 random bytes>`, several separated by commas when rotating
 * (the first seals). `npm run keygen` prints one.
 */
export async function parseKeyring(value: string | undefined): Promise<Keyring> {
  const entries = (value ?? "").split(",").map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) throw new KeyringError("RELAY_MASTER_KEY is not set: set it with `wrangler secret put RELAY_MASTER_KEY` (npm run keygen prints one)");
  const keys = new Map<string, CryptoKey>();
  for (const [i, entry] of entries.entries()) {
    const [id, material, ...rest] = entry.split(":");
    let raw: Uint8Array | undefined;
    try {
      raw = material ? Uint8Array.from(atob(material), (c) => c.charCodeAt(0)) : undefined;
    } catch {
      raw = undefined;
    }
    if (!id || !KEY_ID.test(id) || rest.length > 0 || raw?.length !== KEY_BYTES) {
      throw new KeyringError(`RELAY_MASTER_KEY entry ${i + 1} is not <id>:<base64 of 32 bytes>`);
    }
    if (keys.has(id)) throw new KeyringError(`RELAY_MASTER_KEY names key '${id}' twice`);
    keys.set(id, await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]));
  }
  return { current: entries[0]!.split(":")[0]!, keys };
}

let cachedRing: { value: string | undefined; ring: Promise<Keyring> } | undefined;

/** The keyring of `RELAY_MASTER_KEY`, read once per isolate (and again only when the secret changes). */
export function keyringOf(env: { RELAY_MASTER_KEY?: string }): Promise<Keyring> {
  if (cachedRing?.value !== env.RELAY_MASTER_KEY || !cachedRing) {
    const ring = parseKeyring(env.RELAY_MASTER_KEY);
    cachedRing = { value: env.RELAY_MASTER_KEY, ring };
    // A bad key is reported on every use, not cached as a rejected promise forever.
    ring.catch(() => (cachedRing = undefined));
  }
  return cachedRing.ring;
}

/** Seals `plaintext` for `context` under the ring's current key. */
export async function seal(plaintext: string, context: string, ring: Keyring): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const key = ring.keys.get(ring.current)!;
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(context) }, key, encoder.encode(plaintext));
  return `${PREFIX}:${ring.current}:${b64url(iv)}:${b64url(new Uint8Array(sealed))}`;
}

/** The id of the key that sealed a value, or null when it is not a sealed value. */
export function sealedWith(sealed: string): string | null {
  const parts = sealed.split(":");
  return parts.length === 5 && `${parts[0]}:${parts[1]}` === PREFIX ? parts[2]! : null;
}

/** Opens a sealed value for its context; throws KeyringError when its key is not in the ring or it was altered. */
export async function open(sealed: string, context: string, ring: Keyring): Promise<string> {
  const kid = sealedWith(sealed);
  const key = kid === null ? undefined : ring.keys.get(kid);
  if (!key) throw new KeyringError(kid === null ? "not a sealed value" : `the value was sealed with key '${kid}', which RELAY_MASTER_KEY no longer holds`);
  const [, , , iv, data] = sealed.split(":") as [string, string, string, string, string];
  try {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromB64url(iv), additionalData: encoder.encode(context) }, key, fromB64url(data));
    return new TextDecoder().decode(plain);
  } catch {
    throw new KeyringError(`a sealed value for ${context} does not open: altered, or moved from another field`);
  }
}

/** What an API may show of a secret: its last four characters. */
export function hint(secret: string): string {
  return `…${secret.slice(-4)}`;
}
