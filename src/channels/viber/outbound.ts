import type { OutboundContent } from "../../model";
import type { ViberAccount } from "./account";

/** Longest text message. @see https://creators.viber.com/docs/bots-api/data-models/message */
export const VIBER_MAX_TEXT = 7000;
/**
 * Longest picture description. Viber's REST reference gives 120 characters; partner docs say 512
 * (UNCONFIRMED which holds today), so the safe bound is used and longer captions follow as a text.
 * @see https://developers.viber.com/docs/api/rest-bot-api/#picture-message
 */
export const VIBER_MAX_CAPTION = 120;
/**
 * Keyboard buttons: one full-width button per row, and a keyboard shows up to 12 rows in portrait mode.
 * @see https://developers.viber.com/docs/faq/
 * @see https://creators.viber.com/docs/bots-api/resources/messaging/keyboards
 */
export const VIBER_MAX_BUTTONS = 12;
/**
 * Longest button title. Viber crops long button text on screen; this bound (a choice, no documented
 * limit found) also keeps a full keyboard far below the 30 KB request limit.
 */
export const VIBER_MAX_BUTTON_TITLE = 100;
/** `tracking_data` comes back with the customer's reply. @see https://creators.viber.com/docs/bots-api/data-models/message */
export const VIBER_MAX_TRACKING_DATA = 4000;
/** The oldest API version a message may require: every feature used here exists since version 1. */
export const VIBER_MIN_API_VERSION = 1;
/** A keyboard button spans the full width (6 columns) and one row. */
const FULL_WIDTH = 6;

/**
 * Where the relay keeps the buttons of a keyboard in `tracking_data`. Tapping a reply button makes the
 * customer say its `ActionBody` (the title) as a plain text; Viber returns the tracking data with it, so
 * the parser can tell the reply apart and give back the button's id.
 */
export const CHOICES_KEY = "relayChoices";

/** The content types this renders natively; the rest are degraded by the core before `send`. */
export const VIBER_CONTENT_TYPES = ["text", "buttons", "image", "location", "url_button"] as const satisfies readonly OutboundContent["type"][];

/** Button text may carry Viber's HTML subset: a title is shown as written, never interpreted. */
function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The buttons as tracking data, or undefined when they would not fit (replies then arrive as texts). */
function choicesTrackingData(buttons: { id: string; title: string }[]): string | undefined {
  const data = JSON.stringify({ [CHOICES_KEY]: buttons.map((b) => [b.id, b.title]) });
  return data.length <= VIBER_MAX_TRACKING_DATA ? data : undefined;
}

/**
 * Renders one part of a relay message as the body of `POST /send_message`, or null when the content type
 * has no Viber form (the core never hands those to `send`: see `VIBER_CONTENT_TYPES`).
 * Video and file messages need the file size in bytes, which relay content does not carry, so the core
 * turns them into a text with the link; a location's name and address have no place on Viber.
 * @see https://creators.viber.com/docs/bots-api/data-models/message
 * @see https://creators.viber.com/docs/bots-api/resources/messaging/keyboards
 */
export function renderViberMessage(
  receiver: string,
  content: OutboundContent,
  account: Pick<ViberAccount, "senderName" | "senderAvatar">,
): Record<string, unknown> | null {
  const base = {
    receiver,
    min_api_version: VIBER_MIN_API_VERSION,
    sender: { name: account.senderName, ...(account.senderAvatar && { avatar: account.senderAvatar }) },
  };
  switch (content.type) {
    case "text":
      return { ...base, type: "text", text: content.text };
    case "buttons": {
      const trackingData = choicesTrackingData(content.buttons);
      return {
        ...base,
        ...(trackingData && { tracking_data: trackingData }),
        type: "text",
        text: content.text,
        keyboard: {
          Type: "keyboard",
          DefaultHeight: false,
          Buttons: content.buttons.map((b) => ({
            Columns: FULL_WIDTH,
            Rows: 1,
            ActionType: "reply",
            ActionBody: b.title,
            Text: escapeHtml(b.title),
            TextSize: "regular",
          })),
        },
      };
    }
    case "url_button":
      // A keyboard with one `open-url` button: tapping it opens the page and sends the bot nothing.
      // @see https://creators.viber.com/docs/bots-api/resources/messaging/keyboards
      return {
        ...base,
        type: "text",
        text: content.text,
        keyboard: {
          Type: "keyboard",
          DefaultHeight: false,
          Buttons: [
            {
              Columns: FULL_WIDTH,
              Rows: 1,
              ActionType: "open-url",
              ActionBody: content.url,
              Text: escapeHtml(content.title),
              TextSize: "regular",
            },
          ],
        },
      };
    case "image":
      // `text` is required on a picture; empty when there is no caption.
      return { ...base, type: "picture", text: content.caption ?? "", media: content.url };
    case "location":
      return { ...base, type: "location", location: { lat: content.latitude, lon: content.longitude } };
    default:
      return null;
  }
}
