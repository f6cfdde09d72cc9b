import type { InboundContent } from "../../model";
import { isObj, str, type Obj } from "./item";

/** Why a shared reel has no file: Meta sends a link to the reel's page, not its video. */
export const REEL_UNAVAILABLE = "a shared reel: Meta sends a link to the reel, not its file";

/** The file name Meta's CDN keeps as the last path segment of a file's URL, when it has an extension. */
function filenameOf(url: string): string | undefined {
  try {
    const last = new URL(url).pathname.split("/").pop() ?? "";
    const name = decodeURIComponent(last);
    return /^[^/\\]{1,240}\.[A-Za-z0-9]{1,10}$/.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

const isWebUrl = (url: string | undefined): url is string => url !== undefined && /^https?:\/\/\S+$/i.test(url);

/**
 * The content of one attachment. Inbound media carry their CDN URL as `mediaId`: the relay streams it
 * through a signed relay URL (see `fetchMedia`), so the business never depends on Meta's expiring URLs.
 * Meta sends no sizes or dimensions for attachments. A `fallback` is a link the customer shared (its
 * preview's title is Meta's, not the customer's): it becomes the link as text. A `reel` or `ig_reel` is
 * a shared reel: a video whose `url` is the reel's link and whose caption is its title, with no file to
 * fetch.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
 */
export function attachmentContent(a: Obj): InboundContent {
  const type = str(a.type) ?? "unknown";
  const payload = isObj(a.payload) ? a.payload : {};
  const url = str(payload.url);
  const ref = url ? { mediaId: url } : {};
  switch (type) {
    case "image":
      // Stickers came as images with a sticker_id until the `sticker` type (2026).
      return payload.sticker_id !== undefined ? { type: "sticker", ...ref } : { type: "image", ...ref };
    case "sticker":
      return { type: "sticker", ...ref };
    case "audio":
    case "video":
      return { type, ...ref };
    case "file": {
      const filename = url ? filenameOf(url) : undefined;
      return { type: "document", ...ref, ...(filename && { filename }) };
    }
    case "fallback":
      if (isWebUrl(url)) return { type: "text", text: url };
      break;
    case "reel":
    case "ig_reel": {
      const title = str(payload.title);
      if (!isWebUrl(url)) break;
      return { type: "video", url, ...(title && { caption: title }), available: false, unavailableReason: REEL_UNAVAILABLE };
    }
    case "location": {
      // Legacy: current docs no longer list location attachments, older clients still send them.
      const c = isObj(payload.coordinates) ? payload.coordinates : {};
      if (typeof c.lat === "number" && typeof c.long === "number") {
        return {
          type: "location",
          latitude: c.lat,
          longitude: c.long,
          ...(str(a.title) && { name: str(a.title) }),
          ...(str(a.url) && { url: str(a.url) }),
        };
      }
      break;
    }
  }
  return { type: "unsupported", platformType: type, raw: a };
}
