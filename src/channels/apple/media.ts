import { toHex } from "../../crypto";
import type { AppleAccount } from "./account";

/**
 * Attachments travel through Apple's MMCS encrypted with AES-256-CTR under a fresh random key and an
 * all-zero initial counter block; the key goes with the message as `"00" + hex(key)`.
 * @see https://register.apple.com/resources/messages/msp-rest-api/messages-sent (the Attachment dictionary)
 * @see https://register.apple.com/resources/messages/msp-api-tutorial/receiving-sending-messages (attachment_cipher.py)
 */
const AES_KEY_BYTES = 32;
const KEY_PREFIX = "00";
const AES_BLOCK_BYTES = 16;

/**
 * Hosts Apple hands out upload and download URLs on (MMCS lives on iCloud content hosts). Anything else
 * is refused, so that a forged or altered reference cannot make the relay fetch an arbitrary URL.
 */
const APPLE_MEDIA_HOST_SUFFIXES = [".icloud-content.com", ".icloud.com", ".apple.com"] as const;

/** The 32 key bytes of `"00" + hex(key)` (Apple sends upper-case hex), or null. */
export function parseAttachmentKey(key: string): Uint8Array | null {
  const hex = key.startsWith(KEY_PREFIX) ? key.slice(KEY_PREFIX.length) : "";
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== AES_KEY_BYTES * 2) return null;
  return Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
}

/** A hex string (either case) as base64, or null. Apple's inbound `signature` is hex; MMCS wants base64. */
export function hexToBase64(hex: string): string | null {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) return null;
  return btoa(String.fromCharCode(...hex.match(/../g)!.map((h) => parseInt(h, 16))));
}

/** The initial counter block of the AES block at `index`: a 128-bit big-endian counter starting at zero. */
function counterAt(index: number): Uint8Array {
  const block = new Uint8Array(AES_BLOCK_BYTES);
  new DataView(block.buffer).setBigUint64(8, BigInt(index));
  return block;
}

function importAesKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw, { name: "AES-CTR" }, false, ["encrypt"]);
}

async function aesCtr(key: CryptoKey, data: Uint8Array, firstBlock: number): Promise<Uint8Array> {
  // Encryption and decryption are the same operation in CTR mode.
  const out = await crypto.subtle.encrypt({ name: "AES-CTR", counter: counterAt(firstBlock), length: 128 }, key, data);
  return new Uint8Array(out);
}

/**
 * Encrypts a file for MMCS with a new random key.
 * @returns the ciphertext (same length as the file) and the key as Apple wants it, `"00" + hex`.
 */
export async function encryptAttachment(data: Uint8Array): Promise<{ encrypted: Uint8Array; key: string }> {
  const raw = crypto.getRandomValues(new Uint8Array(AES_KEY_BYTES));
  const encrypted = await aesCtr(await importAesKey(raw), data, 0);
  return { encrypted, key: KEY_PREFIX + toHex(raw) };
}

/**
 * Decrypts an MMCS download as it streams: CTR mode can start at any block, so each whole number of
 * blocks is decrypted with the counter of its offset and only a partial block is held back.
 */
export function decryptingStream(rawKey: Uint8Array): TransformStream<Uint8Array, Uint8Array> {
  const key = importAesKey(rawKey);
  let pending = new Uint8Array(0);
  let block = 0;
  return new TransformStream({
    async transform(chunk, controller) {
      const joined = new Uint8Array(pending.length + chunk.length);
      joined.set(pending);
      joined.set(chunk, pending.length);
      const whole = joined.length - (joined.length % AES_BLOCK_BYTES);
      pending = joined.slice(whole);
      if (whole === 0) return;
      controller.enqueue(await aesCtr(await key, joined.subarray(0, whole), block));
      block += whole / AES_BLOCK_BYTES;
    },
    async flush(controller) {
      if (pending.length > 0) controller.enqueue(await aesCtr(await key, pending, block));
    },
  });
}

/**
 * Whether the relay may call this MMCS URL: an https URL on Apple's iCloud/Apple hosts, or (for the local
 * fake in tests) the account's own `apiBaseUrl` origin.
 */
export function isAllowedMediaUrl(url: unknown, account: AppleAccount): url is string {
  if (typeof url !== "string") return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.origin === new URL(account.apiBaseUrl).origin) return true;
  return u.protocol === "https:" && APPLE_MEDIA_HOST_SUFFIXES.some((s) => u.hostname.endsWith(s));
}

/** The guarded fetch's rules for a URL Apple handed the relay: Apple's hosts only, the fake's origin trusted. */
export function appleHops(account: AppleAccount) {
  return {
    allow: (url: URL) => (isAllowedMediaUrl(url.href, account) ? null : `${url.host} is not an Apple host`),
    trustedOrigins: [new URL(account.apiBaseUrl).origin],
  };
}
