import { guardedFetch, type UrlPolicy } from "../../transport/guarded-fetch";
import { readJson } from "../http";
import type { AppleAccount } from "./account";
import { APPLE_DEFAULT_TIMEOUT_MS } from "./account";
import { signMspToken } from "./auth";
import { openAttachmentRef } from "./attachment-ref";
import { appleHops, decryptingStream, isAllowedMediaUrl, parseAttachmentKey } from "./media";
import { platformFetch } from "../../transport/platform-fetch";

/** A large attachment may take a while to stream through the relay. */
const DOWNLOAD_TIMEOUT_MS = 120_000;

/** Answers that the media API turns into its own 404 or 502; never a platform URL or token. */
const notFound = () => new Response(null, { status: 404 });
const unavailable = () => new Response(null, { status: 502 });

/** `Content-Disposition` for a file name of any characters (RFC 6266 / RFC 8187). */
function disposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Streams an inbound attachment, decrypted, by the sealed reference its event carried (opened here with
 * the account's key: the business never sees it): `GET /v1/preDownload`
 * (with the MSP token, the business id and the MMCS url, signature and owner) gives a short-lived
 * download URL on Apple's hosts; its bytes are AES-256-CTR ciphertext, decrypted as they stream through.
 * @see https://register.apple.com/resources/messages/msp-api-tutorial/receiving-sending-messages (05_downloading_attachments.py)
 */
export async function fetchAppleMedia(mediaId: string, account: AppleAccount, policy: UrlPolicy, now = Date.now()): Promise<Response> {
  const ref = await openAttachmentRef(mediaId, account);
  const key = ref && parseAttachmentKey(ref.key);
  if (!ref || !key) return notFound();
  const pre = await platformFetch(`${account.apiBaseUrl}/v1/preDownload`, {
    headers: {
      authorization: `Bearer ${await signMspToken(account, now)}`,
      "source-id": account.businessId,
      "mmcs-url": ref.url,
      "mmcs-signature": ref.signature,
      "mmcs-owner": ref.owner,
    },
    signal: AbortSignal.timeout(account.timeoutMs ?? APPLE_DEFAULT_TIMEOUT_MS),
  });
  if (!pre.ok) {
    await pre.body?.cancel();
    return pre.status === 404 || pre.status === 410 ? notFound() : unavailable();
  }
  const url = ((await readJson(pre)) as Record<string, unknown> | undefined)?.["download-url"];
  if (!isAllowedMediaUrl(url, account)) return unavailable();
  const { response: file } = await guardedFetch(url, { timeoutMs: DOWNLOAD_TIMEOUT_MS, ...appleHops(account) }, policy);
  if (!file.ok || !file.body) {
    await file.body?.cancel();
    return file.status === 404 || file.status === 410 ? notFound() : unavailable();
  }
  return new Response(file.body.pipeThrough(decryptingStream(key)), {
    headers: { "content-type": ref.mimeType, "content-disposition": disposition(ref.name) },
  });
}
