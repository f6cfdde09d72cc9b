/**
 * What both WhatsApp dialects (the On-Premises container and the Cloud API) share when sending: limits
 * and the message fields of unified content.
 */
import type { OutboundContent } from "../../model";
import type { Capabilities } from "../types";

/** WhatsApp's text limit. @see https://developers.facebook.com/docs/whatsapp/on-premises/reference/messages */
export const WHATSAPP_MAX_TEXT = 4096;
/** Interactive messages: at most 3 reply buttons of 20 characters, 10 list rows of 24, a 1024-character body. */
export const WHATSAPP_INTERACTIVE = {
  buttons: { max: 3, maxTitleLength: 20, maxTextLength: 1024 },
  list: { maxRows: 10, maxTitleLength: 24, maxTextLength: 1024 },
  maxCaptionLength: 1024,
} as const;

/**
 * What both dialects render alike: the same message types, limits and receipts. Each dialect adds its
 * own send rate.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/reference/messages
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
 */
export const WHATSAPP_CAPABILITIES = {
  maxTextLength: WHATSAPP_MAX_TEXT,
  // Reactions and quoted replies are sent alike (UNCONFIRMED for every container version).
  contentTypes: ["text", "buttons", "list", "image", "audio", "video", "document", "location", "template", "reaction"],
  ...WHATSAPP_INTERACTIVE,
  quotedReplies: true,
  receipts: true,
} as const satisfies Omit<Capabilities, "rate" | "actions">;

/**
 * A call-to-action URL button (Cloud API only): a label of at most 20 characters over a body of 1024.
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-cta-url-messages
 */
export const WHATSAPP_URL_BUTTON = { maxTitleLength: 20, maxTextLength: 1024 } as const;

/** Drops undefined fields so that a request carries only what the content has. */
function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The message fields of unified content (`type` and the object named by it), shared by the two WhatsApp
 * dialects; they differ only in text previews and templates, given by `dialect`.
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/reference/messages
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/guides/interactive-messages
 */
export function whatsappMessageFields(
  content: OutboundContent,
  dialect: { cloud: boolean; templateNamespace?: string },
): Record<string, unknown> {
  switch (content.type) {
    case "text": {
      const preview = content.previewUrl ?? false;
      // On-Premises takes `preview_url` beside the text; the Cloud API inside it.
      return dialect.cloud
        ? { type: "text", text: { preview_url: preview, body: content.text } }
        : { type: "text", preview_url: preview, text: { body: content.text } };
    }
    case "buttons":
      return {
        type: "interactive",
        interactive: {
          type: "button",
          body: { text: content.text },
          action: { buttons: content.buttons.map((b) => ({ type: "reply", reply: { id: b.id, title: b.title } })) },
        },
      };
    case "list":
      return {
        type: "interactive",
        interactive: {
          type: "list",
          body: { text: content.text },
          action: {
            button: content.button,
            sections: content.sections.map((s) =>
              defined({ title: s.title, rows: s.rows.map((r) => defined({ id: r.id, title: r.title, description: r.description })) }),
            ),
          },
        },
      };
    case "image":
    case "video":
      return { type: content.type, [content.type]: defined({ link: content.url, caption: content.caption }) };
    case "audio":
      return { type: "audio", audio: { link: content.url } };
    case "document":
      return { type: "document", document: defined({ link: content.url, caption: content.caption, filename: content.filename }) };
    case "location":
      return {
        type: "location",
        location: defined({ latitude: content.latitude, longitude: content.longitude, name: content.name, address: content.address }),
      };
    case "url_button":
      return {
        type: "interactive",
        interactive: {
          type: "cta_url",
          body: { text: content.text },
          action: { name: "cta_url", parameters: { display_text: content.title, url: content.url } },
        },
      };
    case "reaction":
      // An empty emoji takes the business's reaction back.
      return { type: "reaction", reaction: { message_id: content.messageId, emoji: content.emoji } };
    case "template": {
      const parameters = (content.parameters ?? []).map((p) => (typeof p === "string" ? { type: "text", text: p } : p));
      const components = content.components ?? (parameters.length > 0 ? [{ type: "body", parameters }] : undefined);
      // On-Premises needs the template's namespace and a language policy; the Cloud API neither.
      const language = dialect.cloud ? { code: content.language } : { policy: "deterministic", code: content.language };
      const namespace = dialect.cloud ? undefined : (content.namespace ?? dialect.templateNamespace);
      return {
        type: "template",
        template: { ...(namespace && { namespace }), name: content.name, language, ...(components && { components }) },
      };
    }
  }
}

/**
 * The `context` that makes a message a quoted reply to `replyTo` (a WhatsApp message id), in both dialects.
 * A reaction already names its message and cannot be a reply, so it never gets one.
 * @see https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-messages#contextual-replies
 * @see https://developers.facebook.com/docs/whatsapp/on-premises/reference/messages
 */
export function whatsappContext(content: OutboundContent, replyTo: string | undefined): Record<string, unknown> {
  return replyTo && content.type !== "reaction" ? { context: { message_id: replyTo } } : {};
}
