import type { OutboundContent } from "../../model";

/** WhatsApp's text limit. @see https://developers.facebook.com/docs/whatsapp/on-premises/reference/messages */
export const WHATSAPP_MAX_TEXT = 4096;

/**
 * Renders unified content as an On-Premises `POST /v1/messages` body.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/reference/messages
 * @see https://developers.facebook.com/docs/whatsapp/api/messages/message-templates
 */
export function renderOnPremMessage(
  to: string,
  content: OutboundContent,
  templateNamespace?: string,
): Record<string, unknown> {
  const base = { recipient_type: "individual", to };
  switch (content.type) {
    case "text":
      return { ...base, type: "text", preview_url: content.previewUrl ?? false, text: { body: content.text } };
    case "image":
    case "video":
      return { ...base, type: content.type, [content.type]: { link: content.url, caption: content.caption } };
    case "audio":
      return { ...base, type: "audio", audio: { link: content.url } };
    case "document":
      return {
        ...base,
        type: "document",
        document: { link: content.url, caption: content.caption, filename: content.filename },
      };
    case "location":
      return {
        ...base,
        type: "location",
        location: {
          latitude: content.latitude,
          longitude: content.longitude,
          name: content.name,
          address: content.address,
        },
      };
    case "template": {
      const parameters = (content.parameters ?? []).map((p) =>
        typeof p === "string" ? { type: "text", text: p } : p,
      );
      const components =
        content.components ?? (parameters.length > 0 ? [{ type: "body", parameters }] : undefined);
      return {
        ...base,
        type: "template",
        template: {
          namespace: content.namespace ?? templateNamespace,
          name: content.name,
          language: { policy: "deterministic", code: content.language },
          ...(components && { components }),
        },
      };
    }
  }
}
