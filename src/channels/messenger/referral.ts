import type { Referral } from "../../model";
import { idString, isObj, str } from "./item";

/**
 * Referral sources as the unified model names them: Meta's names in lower case, and `ADS` as `ad` (the
 * name WhatsApp uses for the same Click-to-Message ads), so that a business reads one vocabulary.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messaging_referrals
 */
const SOURCE_NAMES: Record<string, string> = { ADS: "ad" };

/**
 * A Messenger `referral` object (of the `messaging_referrals` event, a postback or a message): how the
 * customer came. `ref` is the business's parameter (m.me link, ad, plugin), `ad_id` (else the ad's
 * `post_id`) the source id, `referer_uri` the page a chat plugin was on, `ads_context_data.ad_title` the
 * ad's headline. Undefined when the object names nothing.
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messaging_referrals
 * @see https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messaging_postbacks
 */
export function referralOf(value: unknown): Referral | undefined {
  if (!isObj(value)) return undefined;
  const ad = isObj(value.ads_context_data) ? value.ads_context_data : {};
  const source = str(value.source);
  const sourceId = idString(value.ad_id) ?? idString(ad.post_id);
  const referral: Referral = {
    ...(source && { source: SOURCE_NAMES[source] ?? source.toLowerCase() }),
    ...(str(value.type) && { type: str(value.type) }),
    ...(str(value.ref) && { ref: str(value.ref) }),
    ...(sourceId && { sourceId }),
    ...(str(value.referer_uri) && { url: str(value.referer_uri) }),
    ...(str(ad.ad_title) && { headline: str(ad.ad_title) }),
  };
  return Object.keys(referral).length > 0 ? referral : undefined;
}
