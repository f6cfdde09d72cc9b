import type { OutboundContent } from "../../model";
import { whatsappMessageFields } from "../whatsapp/messages";

/**
 * Renders unified content as an On-Premises `POST /v1/messages` body.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/reference/messages
 */
export function renderOnPremMessage(to: string, content: OutboundContent, templateNamespace?: string): Record<string, unknown> {
  return { recipient_type: "individual", to, ...whatsappMessageFields(content, { cloud: false, templateNamespace }) };
}
