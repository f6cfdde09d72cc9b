import type { OutboundContent } from "../../model";
import { whatsappContext, whatsappMessageFields } from "../whatsapp/messages";

/**
 * Renders unified content as an On-Premises `POST /v1/messages` body; with `replyTo` (a WhatsApp message
 * id) it quotes that message.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/reference/messages
 */
export function renderOnPremMessage(
  to: string,
  content: OutboundContent,
  templateNamespace?: string,
  replyTo?: string,
): Record<string, unknown> {
  return {
    recipient_type: "individual",
    to,
    ...whatsappContext(content, replyTo),
    ...whatsappMessageFields(content, { cloud: false, templateNamespace }),
  };
}
