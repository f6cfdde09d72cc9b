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
 * Meta and needs no token, so none is sent; a URL on any other host answers 404.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
 */
export async function fetchMessengerMedia(mediaId: string, account: MessengerAccount): Promise<Response> {
  let url: URL;
  try {
    url = new URL(mediaId);
  } catch {
    return notFound();
  }
  const signal = AbortSignal.timeout(account.timeoutMs);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (!isAllowedMediaUrl(url, account)) return notFound();
    const res = await fetch(url, { redirect: "manual", signal });
    const location = res.status >= 300 && res.status < 400 ? res.headers.get("location") : null;
    if (res.status === 403) {
      // Meta's CDN answers 403 once a URL's signature has expired: the file is gone for the relay.
      await res.body?.cancel();
      return new Response("media URL expired", { status: 410, headers: { "content-type": "text/plain" } });
    }
    if (!location) return res;
    await res.body?.cancel();
    url = new URL(location, url);
  }
  return new Response("too many redirects", { status: 502, headers: { "content-type": "text/plain" } });
}
