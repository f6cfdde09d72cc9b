import { base64url } from "jose";
import type { AppleAccount } from "./account";
import { mspKey } from "./auth";

/**
 * What `fetchMedia` needs to download one inbound attachment. The MMCS url, owner and signature locate
 * the file and the key decrypts it: none of them may reach the business, so they travel in the event's
 * `mediaId` sealed (see sealAttachmentRef), never readable.
 * @see https://register.apple.com/resources/messages/msp-api-tutorial/receiving-sending-messages (05_downloading_attachments.py)
 */
export interface AttachmentRef {
  /** MMCS url of the file (`url` of the attachment). */
  url: string;
  /** MMCS owner (`owner`). */
  owner: string;
  /** The file's MMCS signature, base64 (Apple sends it hex as `signature`; preDownload wants base64). */
  signature: string;
  /** The decryption key, `"00" + hex`. */
  key: string;
  mimeType: string;
  name: string;
}

const REF_FIELDS = ["url", "owner", "signature", "key", "mimeType", "name"] as const;

/** Marks a sealed reference and its format, so that a later format can be told apart. */
const SEALED_PREFIX = "mmcs1.";
/** AES-GCM's 96-bit nonce. */
const IV_BYTES = 12;
/** AES-GCM's authentication tag. */
const TAG_BYTES = 16;
/** Separates these keys from every other use of the MSP secret (it also signs Apple's JWTs). */
const HKDF_INFO = "messenger-relay apple attachment reference v1";

const encoder = new TextEncoder();

/**
 * The account's sealing keys, derived from its MSP secret with HKDF: one AES-256-GCM key, and one HMAC
 * key that makes each nonce from the reference itself. The relay stores nothing per attachment: the
 * secret the account already has is enough to open what it sealed. Rotating the secret makes older
 * media ids unreadable (their files then answer 404); Apple keeps the files only for a limited time anyway.
 */
async function sealingKeys(account: AppleAccount): Promise<{ aes: CryptoKey; nonce: CryptoKey }> {
  const ikm = await crypto.subtle.importKey("raw", mspKey(account), "HKDF", false, ["deriveBits"]);
  const bits = new Uint8Array(
    await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode(HKDF_INFO) }, ikm, 512),
  );
  const [aes, nonce] = await Promise.all([
    crypto.subtle.importKey("raw", bits.slice(0, 32), "AES-GCM", false, ["encrypt", "decrypt"]),
    crypto.subtle.importKey("raw", bits.slice(32), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]),
  ]);
  return { aes, nonce };
}

/**
 * The business this reference belongs to, authenticated with it: an MSP serves many businesses with one
 * secret, and a reference sealed for one must not open for another.
 */
const boundTo = (account: AppleAccount) => encoder.encode(account.businessId);

/**
 * Seals an attachment reference into an opaque `mediaId` (AES-256-GCM under a key derived from the
 * account's MSP secret, bound to its business id). The nonce is derived from the reference (a synthetic
 * IV), so the same attachment always gets the same id, as a redelivered webhook should, and two different
 * references never share a nonce.
 */
export async function sealAttachmentRef(ref: AttachmentRef, account: AppleAccount): Promise<string> {
  const plain = encoder.encode(JSON.stringify(Object.fromEntries(REF_FIELDS.map((f) => [f, ref[f]]))));
  const { aes, nonce } = await sealingKeys(account);
  const iv = new Uint8Array(await crypto.subtle.sign("HMAC", nonce, plain)).slice(0, IV_BYTES);
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: boundTo(account) }, aes, plain));
  const out = new Uint8Array(IV_BYTES + sealed.length);
  out.set(iv);
  out.set(sealed, IV_BYTES);
  return SEALED_PREFIX + base64url.encode(out);
}

/** The attachment a sealed `mediaId` names, or null when this account did not seal it (or it was altered). */
export async function openAttachmentRef(mediaId: string, account: AppleAccount): Promise<AttachmentRef | null> {
  if (!mediaId.startsWith(SEALED_PREFIX)) return null;
  let bytes: Uint8Array;
  try {
    bytes = base64url.decode(mediaId.slice(SEALED_PREFIX.length));
  } catch {
    return null;
  }
  if (bytes.length <= IV_BYTES + TAG_BYTES) return null;
  let value: unknown;
  try {
    const { aes } = await sealingKeys(account);
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.subarray(0, IV_BYTES), additionalData: boundTo(account) },
      aes,
      bytes.subarray(IV_BYTES),
    );
    value = JSON.parse(new TextDecoder().decode(plain));
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (!REF_FIELDS.every((f) => typeof v[f] === "string")) return null;
  return Object.fromEntries(REF_FIELDS.map((f) => [f, v[f]])) as unknown as AttachmentRef;
}
