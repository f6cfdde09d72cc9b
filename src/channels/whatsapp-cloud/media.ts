import { guardedFetch, type UrlPolicy } from "../../transport/guarded-fetch";
import { readJson } from "../http";
import { graphRoot, type WhatsAppCloudAccount } from "./account";
import { graphError } from "../meta/graph-error";
import { platformFetch } from "../../transport/platform-fetch";

/** Looking up a media id is one small Graph call. */
export const MEDIA_LOOKUP_TIMEOUT_MS = 10_000;
/** Downloading the file itself may take a while: WhatsApp media reach 100 MB. */
export const MEDIA_DOWNLOAD_TIMEOUT_MS = 120_000;
/** Redirects followed from the media URL, each to an allowed host only. */
export const MAX_MEDIA_REDIRECTS = 3;
/**
 * Hosts Meta serves WhatsApp media from (`lookaside.fbsbx.com` today). The media URL is fetched with the
 * account's access token, so the relay never follows a URL anywhere else.
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#download-media
 */
const META_MEDIA_HOSTS = ["fbsbx.com", "facebook.com", "fbcdn.net"];
/** Graph's "object does not exist" (code 100, subcode 33): an unknown or expired media id. */
const GRAPH_INVALID_PARAMETER = 100;

/**
 * Whether a media URL may receive the account's token: https on Meta's hosts, or the configured API host.
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#download-media
 */
export function isAllowedMediaUrl(url: URL, account: WhatsAppCloudAccount): boolean {
  const api = new URL(account.apiBaseUrl);
  if (url.protocol === api.protocol && url.host === api.host) return true;
  const host = url.hostname.toLowerCase();
  return url.protocol === "https:" && url.port === "" && META_MEDIA_HOSTS.some((h) => host === h || host.endsWith(`.${h}`));
}

const problem = (status: number, detail: string) =>
  new Response(JSON.stringify({ detail }), { status, headers: { "content-type": "application/json" } });

/**
 * Streams an inbound media file: `GET /{media-id}` gives a short-lived URL and the MIME type, and the URL
 * is fetched with the same bearer token. Answers 404 for an unknown or expired id, 502 for a URL on a
 * host that is not Meta's (or the configured API's), and otherwise the platform's own answer.
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#retrieve-media-url
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/media/
 */
export async function fetchCloudMedia(mediaId: string, account: WhatsAppCloudAccount, policy: UrlPolicy): Promise<Response> {
  const auth = { authorization: `Bearer ${account.accessToken}` };
  const lookup = await platformFetch(`${graphRoot(account)}/${encodeURIComponent(mediaId)}`, {
    headers: auth,
    signal: AbortSignal.timeout(account.timeoutMs ?? MEDIA_LOOKUP_TIMEOUT_MS),
  });
  const meta = await readJson(lookup);
  if (!lookup.ok) {
    const unknown = lookup.status === 404 || graphError(meta)?.code === GRAPH_INVALID_PARAMETER;
    return problem(unknown ? 404 : lookup.status, `media lookup answered ${lookup.status}`);
  }
  const { url, mime_type: mimeType } = (meta ?? {}) as { url?: unknown; mime_type?: unknown };
  if (typeof url !== "string") return problem(502, "media lookup gave no URL");

  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return problem(502, "media lookup gave a malformed URL");
  }
  if (!isAllowedMediaUrl(target, account)) return problem(502, `media URL host ${target.host} is not Meta's`);
  const { response: file } = await guardedFetch(
    target,
    {
      headers: auth,
      timeoutMs: MEDIA_DOWNLOAD_TIMEOUT_MS,
      maxRedirects: MAX_MEDIA_REDIRECTS,
      // The token only ever goes to Meta's hosts (and is dropped on a redirect to another origin).
      allow: (hop) => (isAllowedMediaUrl(hop, account) ? null : `media URL host ${hop.host} is not Meta's`),
      trustedOrigins: [new URL(account.apiBaseUrl).origin],
    },
    policy,
  );
  if (!file.ok || file.headers.get("content-type") || typeof mimeType !== "string") return file;
  // Meta's lookup knows the type even when the download does not say it.
  const headers = new Headers(file.headers);
  headers.set("content-type", mimeType);
  return new Response(file.body, { status: file.status, headers });
}
