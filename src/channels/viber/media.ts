import { guardedFetch, type UrlPolicy } from "../../transport/guarded-fetch";
import { type ViberAccount, viberApiBase } from "./account";
import { STICKER_ID, STICKER_IMAGE_URL, stickerImageUrl } from "./content";

/**
 * Inbound media lives on Viber's servers (e.g. `dl-media.viber.com`, `*.cdn.viber.com`) at plain HTTPS
 * URLs that expire (UNCONFIRMED: about an hour). Only those hosts are fetched, so a media id can never
 * make the relay a proxy for an arbitrary URL.
 * @see https://creators.viber.com/docs/bots-api/events/message-received
 */
const VIBER_MEDIA_HOST = /(^|\.)viber\.com$/i;
/** Media files are up to tens of MB (video 26 MB, files 50 MB): allow time to stream them. */
export const VIBER_MEDIA_TIMEOUT_MS = 60_000;
/** A CDN may redirect once or twice; every hop must stay on an allowed host. */
const MAX_REDIRECTS = 3;

/** Where sticker images are served; only this origin and path are fetched for a sticker id. */
const STICKER_IMAGES = new URL(STICKER_IMAGE_URL);

/** Whether this URL is one of the public sticker images (the relay builds these from a sticker id). */
function isStickerImage(url: URL): boolean {
  return url.origin === STICKER_IMAGES.origin && url.pathname.startsWith(STICKER_IMAGES.pathname);
}

/**
 * Whether the relay may fetch this URL for this account: Viber's media hosts, the sticker images, or the
 * account's API host.
 * @see https://creators.viber.com/docs/bots-api/events/message-received
 */
export function isViberMediaUrl(url: URL, account: ViberAccount): boolean {
  if (url.username || url.password) return false;
  if (url.protocol === "https:" && VIBER_MEDIA_HOST.test(url.hostname)) return true;
  if (isStickerImage(url)) return true;
  // The account's own API origin: where a stand-in for Viber (the sandbox) serves media.
  return url.origin === new URL(viberApiBase(account)).origin;
}

const notFound = () => new Response("not a Viber media URL", { status: 404 });

/**
 * What a `mediaId` names: a sticker id (its public image), or the callback's `media` URL; null for
 * anything else.
 */
export function viberMediaUrl(mediaId: string): URL | null {
  if (STICKER_ID.test(mediaId)) return new URL(stickerImageUrl(mediaId));
  try {
    return new URL(mediaId);
  } catch {
    return null;
  }
}

/**
 * Streams an inbound media file by its `mediaId` (the callback's `media` URL, or a sticker id). Viber's
 * media URLs need no credentials; they are still served through the relay's signed URLs so that every
 * channel looks the same to the business and no URL from the platform leaks. Anything not on an allowed
 * host is a 404; every hop goes through the guarded fetch.
 * @see https://creators.viber.com/docs/bots-api/events/message-received
 */
export async function fetchViberMedia(mediaId: string, account: ViberAccount, policy: UrlPolicy): Promise<Response> {
  const url = viberMediaUrl(mediaId);
  if (!url || !isViberMediaUrl(url, account)) return notFound();
  const { response } = await guardedFetch(
    url,
    {
      timeoutMs: VIBER_MEDIA_TIMEOUT_MS,
      maxRedirects: MAX_REDIRECTS,
      allow: (hop) => (isViberMediaUrl(hop, account) ? null : `${hop.host} is not a Viber media host`),
      trustedOrigins: [new URL(viberApiBase(account)).origin],
    },
    policy,
  );
  return response;
}
