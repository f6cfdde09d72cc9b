import type { SendResult } from "../channels/types";
import type { OutboundContent } from "../model";
import { RefusedUrlError, UnreachableError } from "../transport/errors";
import { guardedFetch, type UrlPolicy } from "../transport/guarded-fetch";

/** Redirects a media URL may take (CDNs, short links) before the relay gives up. */
export const MEDIA_MAX_REDIRECTS = 5;
/** How long checking a media URL may take. */
export const MEDIA_CHECK_TIMEOUT_MS = 15_000;

type Media = Extract<OutboundContent, { type: "image" | "video" | "audio" | "document" }>;
type NotSendable = Extract<SendResult, { kind: "failed" | "retry" }>;

const isMedia = (c: OutboundContent): c is Media => c.type === "image" || c.type === "video" || c.type === "audio" || c.type === "document";

/**
 * Checks an outbound media URL before any platform is given it: the relay requests it through the guarded
 * fetch (https, public hosts only, every redirect hop checked) and hands the platform the URL the chain
 * ends at, so that no platform (nor a WhatsApp container inside the business's network) is sent somewhere
 * the relay would refuse to go. A refused URL fails the message (`url_refused`), a 4xx answer fails it
 * (`media_failed`), a busy or silent server is retried a bounded number of times (`cause: "media"`).
 */
export async function checkMediaUrl(content: OutboundContent, policy: UrlPolicy): Promise<OutboundContent | NotSendable> {
  if (!isMedia(content)) return content;
  let final: URL;
  let status: number;
  try {
    const { response, url } = await guardedFetch(content.url, { timeoutMs: MEDIA_CHECK_TIMEOUT_MS, maxRedirects: MEDIA_MAX_REDIRECTS }, policy);
    await response.body?.cancel();
    final = url;
    status = response.status;
  } catch (e) {
    if (e instanceof RefusedUrlError) return { kind: "failed", error: { reason: "url_refused", detail: `${content.url}: ${e.message}` } };
    if (e instanceof UnreachableError) return { kind: "retry", cause: "media", detail: `media ${e.message}` };
    throw e;
  }
  if (status === 408 || status === 429 || status >= 500) return { kind: "retry", cause: "media", detail: `fetching ${content.url} answered ${status}` };
  if (status >= 300) {
    return { kind: "failed", error: { reason: "media_failed", code: String(status), detail: `fetching ${content.url} answered ${status}` } };
  }
  return final.href === content.url ? content : { ...content, url: final.href };
}
