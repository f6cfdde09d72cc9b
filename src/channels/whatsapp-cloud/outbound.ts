import type { OutboundContent } from "../../model";
import { planParts } from "../degrade";
import type { Capabilities } from "../types";
import { isBsuid, normalizeWhatsAppPeer } from "../whatsapp/peer";
import { whatsappContext, whatsappMessageFields } from "../whatsapp/messages";

/**
 * A list row's id: at most 200 characters (a reply button's id may have 256, which the model already caps).
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-list-messages
 */
export const LIST_ROW_ID_MAX = 200;
/** `biz_opaque_callback_data` is at most 512 characters. @see https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages */
export const CALLBACK_DATA_MAX = 512;
/**
 * What the relay writes into `biz_opaque_callback_data`, which Meta echoes in the message's status
 * webhooks: the peer exactly as the relay addressed it. A customer may be known by a phone number and a
 * business-scoped user id at once; the echo routes each status to the conversation that sent the message.
 */
const CALLBACK_PEER_PREFIX = "relay-peer:";

/**
 * The peer the relay stored in a status's `biz_opaque_callback_data`, if it is one of ours and well-formed.
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples#message-status-updates
 */
export function peerFromCallbackData(data: unknown): string | undefined {
  if (typeof data !== "string" || !data.startsWith(CALLBACK_PEER_PREFIX)) return undefined;
  const peer = data.slice(CALLBACK_PEER_PREFIX.length);
  return normalizeWhatsAppPeer(peer) === peer ? peer : undefined;
}

/**
 * Who a message goes to: a phone number in `to`, a business-scoped user id in `recipient` (Meta's send
 * field for BSUIDs; `to` takes precedence when both are given, so only one is ever set).
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/
 */
function addressing(peer: string): Record<string, unknown> {
  const data = `${CALLBACK_PEER_PREFIX}${peer}`;
  return {
    messaging_product: "whatsapp",
    recipient_type: "individual",
    ...(isBsuid(peer) ? { recipient: peer } : { to: peer }),
    ...(data.length <= CALLBACK_DATA_MAX && { biz_opaque_callback_data: data }),
  };
}

/**
 * Renders one unified content part as the body of `POST /{phone-number-id}/messages`; with `replyTo` (a
 * `wamid`) it quotes that message.
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/messages/reaction-messages
 */
export function renderCloudMessage(peer: string, content: OutboundContent, replyTo?: string): Record<string, unknown> {
  return { ...addressing(peer), ...whatsappContext(content, replyTo), ...whatsappMessageFields(content, { cloud: true }) };
}

/**
 * What degrade cannot fix and Meta would reject: a list whose sections are not all titled when there are
 * several, or a row id longer than Meta allows (also when buttons become a list). Checked on the parts the
 * content will actually be sent as.
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-list-messages
 */
export function refuseCloudContent(content: OutboundContent, capabilities: Capabilities): string | null {
  const plan = planParts(content, capabilities);
  if ("refused" in plan) return null; // the core refuses it already, with its own reason
  for (const part of plan.parts) {
    if (part.type !== "list") continue;
    if (part.sections.length > 1 && part.sections.some((s) => !s.title)) {
      return "WhatsApp lists with several sections need a title on every section";
    }
    if (part.sections.some((s) => s.rows.some((r) => r.id.length > LIST_ROW_ID_MAX))) {
      return `WhatsApp list row ids have at most ${LIST_ROW_ID_MAX} characters`;
    }
  }
  return null;
}
