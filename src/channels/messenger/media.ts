import { guardedFetch, type UrlPolicy } from "../../transport/guarded-fetch";
import type { MessengerAccount } from "./account";

/**
 * Hosts Meta serves Messenger attachments from (`scontent.xx.fbcdn.net`, `cdn.fbsbx.com`,
 * `lookaside.fbsbx.com`, ...). Only these are fetched, so the relay never proxies an arbitrary URL.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
 */
export const META_MEDIA_DOMAINS = ["fbcdn.net", "fbsbx.com", "facebook.com"] as const;
/** Redirects followed (lookaside URLs redirect to the CDN), each to an allowed host again. */
const MAX_REDIRECTS = 3;

const notFound = () => new Response("media not found", { status: 404, headers: { "content-type": "text/plain" } });

/** Whether the relay may fetch this URL: https on Meta's media hosts, or the account's own API base (tests). */
export function isAllowedMediaUrl(url: URL, account: Pick<MessengerAccount, "apiBaseUrl">): boolean {
  if (url.username || url.password) return false;
  const host = url.hostname.toLowerCase();
  const meta = url.protocol === "https:" && META_MEDIA_DOMAINS.some((d) => host === d || host.endsWith(`.${d}`));
  if (meta) return true;
  const api = new URL(account.apiBaseUrl);
  return url.protocol === api.protocol && url.host === api.host;
}

/**
 * Streams an inbound attachment from the CDN URL its event carried as `mediaId`. The URL is signed by
 * Meta and needs no token, so none is sent; a URL on any other host answers 404, and every hop goes
 * through the guarded fetch.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
 */
export async function fetchMessengerMedia(mediaId: string, account: MessengerAccount, policy: UrlPolicy): Promise<Response> {
  let url: URL;
  try {
    url = new URL(mediaId);
  } catch {
    return notFound();
  }
  if (!isAllowedMediaUrl(url, account)) return notFound();
  const { response } = await guardedFetch(
    url,
    {
      timeoutMs: account.timeoutMs,
      maxRedirects: MAX_REDIRECTS,
      allow: (hop) => (isAllowedMediaUrl(hop, account) ? null : `${hop.host} is not a Meta media host`),
      trustedOrigins: [new URL(account.apiBaseUrl).origin],
    },
    policy,
  );
  if (response.status === 403) {
    // Meta's CDN answers 403 once a URL's signature has expired: the file is gone for the relay.
    await response.body?.cancel();
    return new Response("media URL expired", { status: 410, headers: { "content-type": "text/plain" } });
  }
  return response;
}
