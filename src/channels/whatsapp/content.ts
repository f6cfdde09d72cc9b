/**
 * The content of a WhatsApp message object, and what its `context` and `referral` say. Both dialects use
 * the same message objects.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/webhooks/inbound
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages
 */
import type { InboundContent, Referral } from "../../model";
import { bool, count, isObj, list, type Obj, str } from "./json";

const MEDIA_TYPES = ["image", "audio", "video", "document", "sticker", "voice"] as const;
type MediaType = Exclude<(typeof MEDIA_TYPES)[number], "voice">;

/**
 * The container's mark on a media message it could not download (auto-download off, or it failed): the
 * message has no media id, and the file cannot be fetched.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/reference/settings/media
 */
const UNDOWNLOADED = "undownloaded";

/**
 * A media object: `id` (to fetch it), `mime_type`, `sha256`, `caption`, `filename` (documents), `voice`
 * (audio recorded in the app), `animated` (stickers), `file_size` where sent; the container adds `link`.
 * The Cloud API's own `url` needs the account's token, so the relay serves the file itself by `id`.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/image/
 */
function media(type: (typeof MEDIA_TYPES)[number], body: Obj): InboundContent {
  const voice = type === "voice" ? true : bool(body.voice);
  const animated = bool(body.animated);
  const size = count(body.file_size);
  return {
    type: type === "voice" ? "audio" : (type as MediaType),
    ...(str(body.id) && { mediaId: str(body.id) }),
    ...(str(body.link) && { url: str(body.link) }),
    ...(str(body.mime_type) && { mimeType: str(body.mime_type) }),
    ...(str(body.sha256) && { sha256: str(body.sha256) }),
    ...(str(body.caption) && { caption: str(body.caption) }),
    ...(str(body.filename) && { filename: str(body.filename) }),
    ...(size !== undefined && { size }),
    ...(voice !== undefined && { voice }),
    ...(animated !== undefined && { animated }),
    ...(body.status === UNDOWNLOADED && { available: false, unavailableReason: UNDOWNLOADED }),
  };
}

/**
 * A reaction; one without an emoji (or with an empty one) takes the customer's reaction back.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/reaction/
 */
function reaction(body: Obj): InboundContent {
  const emoji = str(body.emoji);
  const platformMessageId = str(body.message_id);
  return {
    type: "reaction",
    emoji: emoji ?? "",
    ...(platformMessageId && { platformMessageId }),
    ...(!emoji && { removed: true }),
  };
}

/**
 * The content of one WhatsApp message object. What the relay does not model yet is `unsupported`, named
 * precisely (`interactive.nfm_reply`, `system.user_changed_number`) with the message as `raw`.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/webhooks/inbound
 */
export function whatsappContent(m: Obj): InboundContent {
  const type = str(m.type) ?? "unknown";
  const body = isObj(m[type]) ? (m[type] as Obj) : {};
  if (type === "text") return { type: "text", text: str(body.body) ?? "" };
  if ((MEDIA_TYPES as readonly string[]).includes(type)) return media(type as (typeof MEDIA_TYPES)[number], body);
  if (type === "location" && typeof body.latitude === "number" && typeof body.longitude === "number") {
    return {
      type: "location",
      latitude: body.latitude,
      longitude: body.longitude,
      ...(str(body.name) && { name: str(body.name) }),
      ...(str(body.address) && { address: str(body.address) }),
      ...(str(body.url) && { url: str(body.url) }),
    };
  }
  if (type === "contacts" && Array.isArray(m.contacts)) {
    return {
      type: "contacts",
      contacts: m.contacts.filter(isObj).map((c) => ({
        name: isObj(c.name) ? str(c.name.formatted_name) : undefined,
        phones: list(c.phones).filter(isObj).map((p) => str(p.phone) ?? str(p.wa_id) ?? "").filter(Boolean),
        emails: list(c.emails).filter(isObj).map((e) => str(e.email) ?? "").filter(Boolean),
      })),
    };
  }
  if (type === "button" && str(body.text)) {
    return { type: "reply", id: str(body.payload), title: str(body.text)!, source: "template_button" };
  }
  if (type === "interactive") {
    const reply = isObj(body.button_reply) ? body.button_reply : isObj(body.list_reply) ? body.list_reply : undefined;
    if (reply && str(reply.title)) {
      const source = isObj(body.button_reply) ? "button" : "list";
      return { type: "reply", id: str(reply.id), title: str(reply.title)!, source };
    }
    // e.g. a WhatsApp Flow's answer (`nfm_reply`): named precisely so the business can pick it from `raw`.
    if (str(body.type)) return { type: "unsupported", platformType: `interactive.${str(body.type)}`, raw: m };
  }
  if (type === "reaction") return reaction(body);
  if (type === "system" && str(body.type)) return { type: "unsupported", platformType: `system.${str(body.type)}`, raw: m };
  return { type: "unsupported", platformType: type, raw: m };
}

/**
 * The ad a customer came from (Click to WhatsApp): `source_type`, `source_id`, `source_url`, `headline`,
 * `body`, `media_type` with `image_url` or `video_url` and `thumbnail_url`, `ctwa_clid`, `welcome_message`.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/text/
 */
export function whatsappReferral(v: unknown): Referral | undefined {
  if (!isObj(v)) return undefined;
  const greeting = isObj(v.welcome_message) ? str(v.welcome_message.text) : undefined;
  const fields: Referral = {
    source: str(v.source_type),
    type: str(v.media_type),
    sourceId: str(v.source_id),
    url: str(v.source_url),
    headline: str(v.headline),
    body: str(v.body),
    mediaUrl: str(v.image_url) ?? str(v.video_url),
    thumbnailUrl: str(v.thumbnail_url),
    clickId: str(v.ctwa_clid),
    greeting,
  };
  const referral = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Referral;
  return Object.keys(referral).length > 0 ? referral : undefined;
}

/** What a message says about itself besides its content: what it answers, where it came from. */
export interface MessageContext {
  inReplyTo?: string;
  forwarded?: boolean;
  referral?: Referral;
  referredProduct?: { catalogId?: string; productId: string };
}

/**
 * A message's `context` (the message it answers; `forwarded`, or `frequently_forwarded` past five
 * forwards; the catalog product asked about) and its `referral`.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/text/
 */
export function messageContext(m: Obj): MessageContext {
  const context = isObj(m.context) ? m.context : {};
  const inReplyTo = str(context.id);
  const forwarded = context.forwarded === true || context.frequently_forwarded === true;
  const product = isObj(context.referred_product) ? context.referred_product : {};
  const productId = str(product.product_retailer_id);
  const catalogId = str(product.catalog_id);
  const referral = whatsappReferral(m.referral);
  return {
    ...(inReplyTo && { inReplyTo }),
    ...(forwarded && { forwarded }),
    ...(referral && { referral }),
    ...(productId && { referredProduct: { ...(catalogId && { catalogId }), productId } }),
  };
}
