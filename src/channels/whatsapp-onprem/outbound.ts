import type { OutboundContent } from "../../model";

/** WhatsApp's text limit. @see https://developers.facebook.com/docs/whatsapp/on-premises/reference/messages */
export const WHATSAPP_MAX_TEXT = 4096;
/** Interactive messages: at most 3 reply buttons of 20 characters, 10 list rows of 24, a 1024-character body. */
export const WHATSAPP_INTERACTIVE = {
  buttons: { max: 3, maxTitleLength: 20, maxTextLength: 1024 },
  list: { maxRows: 10, maxTitleLength: 24, maxTextLength: 1024 },
  maxCaptionLength: 1024,
} as const;

/**
 * Renders unified content as an On-Premises `POST /v1/messages` body.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/reference/messages
 * @see https://developers.facebook.com/docs/whatsapp/api/messages/message-templates
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/guides/interactive-messages
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
    case "buttons":
      return {
        ...base,
        type: "interactive",
        interactive: {
          type: "button",
          body: { text: content.text },
          action: { buttons: content.buttons.map((b) => ({ type: "reply", reply: { id: b.id, title: b.title } })) },
        },
      };
    case "list":
      return {
        ...base,
        type: "interactive",
        interactive: {
          type: "list",
          body: { text: content.text },
          action: { button: content.button, sections: content.sections },
        },
      };
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
