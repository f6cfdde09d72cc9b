import type { OutboundContent } from "../../model";
import { RefusedUrlError, TooLargeError, UnreachableError } from "../../transport/errors";
import { guardedFetch, readBounded, type UrlPolicy } from "../../transport/guarded-fetch";
import { readJson, retryAfterSeconds } from "../http";
import type { AppleAccount } from "./account";
import { classifyAppleFailure, type AppleFailure } from "./errors";
import { appleHops, encryptAttachment } from "./media";
import type { UploadedAttachment } from "./outbound";
import { platformFetch } from "../../transport/platform-fetch";

/**
 * Apple accepts attachments up to 100 MB; the relay encrypts in memory (file and ciphertext at once, in a
 * Worker of 128 MB), so it sends at most 20 MB and fails larger files with `media_failed`.
 * @see https://www.infobip.com/docs/apple-messages-for-business/message-types
 */
export const APPLE_MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024;
export const RELAY_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
const MAX_ATTACHMENT_BYTES = Math.min(APPLE_MAX_ATTACHMENT_BYTES, RELAY_MAX_ATTACHMENT_BYTES);

/** Fetching the business's file and uploading it to MMCS may take longer than an API call. */
const MEDIA_TRANSFER_TIMEOUT_MS = 60_000;

/** MIME types by file extension, for files served without a useful Content-Type. */
const MIME_BY_EXTENSION: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  heic: "image/heic",
  webp: "image/webp",
  mp4: "video/mp4",
  mov: "video/quicktime",
  m4a: "audio/mp4",
  mp3: "audio/mpeg",
  aac: "audio/aac",
  ogg: "audio/ogg",
  caf: "audio/x-caf",
  pdf: "application/pdf",
  txt: "text/plain",
  vcf: "text/vcard",
};
const GENERIC_TYPES = new Set(["", "application/octet-stream", "binary/octet-stream"]);

type Media = Extract<OutboundContent, { type: "image" | "video" | "audio" | "document" }>;
type Failure = AppleFailure;

/** The file name an attachment shows: the document's own, else the last segment of its URL. */
export function attachmentName(content: Media): string {
  if (content.type === "document" && content.filename) return content.filename;
  let last = "";
  try {
    last = decodeURIComponent(new URL(content.url).pathname.split("/").pop() ?? "");
  } catch {
    // a malformed escape: fall back to the type
  }
  return last || content.type;
}

/** The file's MIME type: what its server said unless that is generic, else guessed from the name. */
export function attachmentMimeType(served: string | null, name: string): string {
  const type = (served ?? "").split(";")[0]!.trim().toLowerCase();
  if (!GENERIC_TYPES.has(type)) return type;
  const extension = name.includes(".") ? name.split(".").pop()!.toLowerCase() : "";
  return MIME_BY_EXTENSION[extension] ?? "application/octet-stream";
}

/** Redirects the business's file URL may take, each hop checked by the guarded fetch. */
const MAX_SOURCE_REDIRECTS = 5;

/** Fetches the business's file through the guarded fetch; a missing file fails the message, a busy server is retried. */
async function fetchSource(content: Media, policy: UrlPolicy): Promise<{ bytes: Uint8Array; type: string | null } | Failure> {
  let res: Response;
  try {
    ({ response: res } = await guardedFetch(content.url, { timeoutMs: MEDIA_TRANSFER_TIMEOUT_MS, maxRedirects: MAX_SOURCE_REDIRECTS }, policy));
  } catch (e) {
    if (e instanceof RefusedUrlError) return { kind: "failed", error: { reason: "url_refused", detail: `${content.url}: ${e.message}` } };
    if (e instanceof UnreachableError) return { kind: "retry", cause: "media", detail: `fetching the media: ${e.message}` };
    throw e;
  }
  if (!res.ok) {
    await res.body?.cancel();
    const detail = `fetching ${content.url} answered ${res.status}`;
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      return { kind: "retry", cause: "media", afterSeconds: retryAfterSeconds(res.headers), detail };
    }
    return { kind: "failed", error: { reason: "media_failed", code: String(res.status), detail } };
  }
  let bytes: Uint8Array;
  try {
    bytes = await readBounded(res, MAX_ATTACHMENT_BYTES);
  } catch (e) {
    if (e instanceof TooLargeError) {
      return { kind: "failed", error: { reason: "media_failed", detail: `${content.url} is larger than ${MAX_ATTACHMENT_BYTES} bytes` } };
    }
    if (e instanceof UnreachableError) return { kind: "retry", cause: "media", detail: `fetching the media: ${e.message}` };
    throw e;
  }
  if (bytes.length === 0) return { kind: "failed", error: { reason: "media_failed", detail: `${content.url} is empty` } };
  return { bytes, type: res.headers.get("content-type") };
}

/**
 * Sends a business's file to Apple: fetch it, encrypt it with a new AES-256-CTR key, ask the gateway for an
 * MMCS upload slot (`GET /v1/preUpload` with the encrypted size), upload the ciphertext, and describe the
 * result as the message's attachment (MMCS url, owner, the checksum MMCS returned as its signature, key).
 * @see https://register.apple.com/resources/messages/msp-api-tutorial/receiving-sending-messages (04_send_image_attachment.py)
 */
export async function uploadAttachment(
  content: Media,
  account: AppleAccount,
  token: string,
  policy: UrlPolicy,
): Promise<{ kind: "ok"; attachment: UploadedAttachment } | Failure> {
  const source = await fetchSource(content, policy);
  if ("kind" in source) return source;
  const name = attachmentName(content);
  const mimeType = attachmentMimeType(source.type, name);
  const { encrypted, key } = await encryptAttachment(source.bytes);
  const signal = AbortSignal.timeout(MEDIA_TRANSFER_TIMEOUT_MS);

  const pre = await platformFetch(`${account.apiBaseUrl}/v1/preUpload`, {
    headers: { authorization: `Bearer ${token}`, "source-id": account.businessId, "mmcs-size": String(encrypted.length) },
    signal,
  });
  if (!pre.ok) return classifyAppleFailure(pre, await pre.text(), "media");
  const slot = (await readJson(pre)) as Record<string, unknown> | undefined;
  const uploadUrl = slot?.["upload-url"];
  const mmcsUrl = slot?.["mmcs-url"];
  const owner = slot?.["mmcs-owner"];
  if (typeof mmcsUrl !== "string" || typeof owner !== "string" || typeof uploadUrl !== "string") {
    return { kind: "retry", detail: "Apple's preUpload answer lacks upload-url, mmcs-url or mmcs-owner" };
  }
  let up: Response;
  try {
    ({ response: up } = await guardedFetch(uploadUrl, { method: "POST", body: encrypted, timeoutMs: MEDIA_TRANSFER_TIMEOUT_MS, ...appleHops(account) }, policy));
  } catch (e) {
    if (e instanceof RefusedUrlError) return { kind: "failed", error: { reason: "media_failed", detail: `Apple's upload URL: ${e.message}` } };
    throw e;
  }
  if (!up.ok) return classifyAppleFailure(up, await up.text(), "media");
  const uploaded = (await readJson(up)) as { singleFile?: { fileChecksum?: unknown } } | undefined;
  const checksum = uploaded?.singleFile?.fileChecksum;
  if (typeof checksum !== "string" || !checksum) {
    return { kind: "retry", detail: "the MMCS upload answer lacks singleFile.fileChecksum" };
  }
  return {
    kind: "ok",
    attachment: { name, mimeType, size: String(encrypted.length), "signature-base64": checksum, url: mmcsUrl, owner, key },
  };
}
