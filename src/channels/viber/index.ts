import type { ChannelAdapter } from "../types";
import { ViberAccount, viberApiBase } from "./account";
import { classifyViberResponse } from "./errors";
import { parseViberWebhook } from "./inbound";
import { parseViberJson } from "./json";
import { fetchViberMedia } from "./media";
import {
  renderViberMessage,
  VIBER_CONTENT_TYPES,
  VIBER_MAX_BUTTON_TITLE,
  VIBER_MAX_BUTTONS,
  VIBER_MAX_CAPTION,
  VIBER_MAX_TEXT,
} from "./outbound";
import { verifyViberWebhook, viberHandshake } from "./verify";
import { platformFetch } from "../../transport/platform-fetch";

/**
 * One send waits this long for Viber; a timeout is retried by delivery.
 * @see https://creators.viber.com/docs/bots-api/resources/messaging/send-message
 */
export const VIBER_SEND_TIMEOUT_MS = 10_000;

/**
 * A Viber user id as the bot sees it: an opaque, base64-like string (e.g. `01234567890A=`,
 * `xy5/5y6O81+/kbWHpLhBoA==`), unique per user and bot. Bots cannot address phone numbers.
 * @see https://developers.viber.com/docs/faq/
 */
const VIBER_USER_ID = /^[A-Za-z0-9+/]{4,128}={0,2}$/;

/** A Viber recipient, kept exactly as given (ids are case-sensitive), or null. */
export function normalizeViberPeer(raw: string): string | null {
  const id = raw.trim();
  return VIBER_USER_ID.test(id) ? id : null;
}

async function readViberBody(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return parseViberJson(text);
  } catch {
    return undefined;
  }
}

/**
 * Viber through its REST Bot API: callbacks signed with the bot's token, one `send_message` per part.
 * @see https://creators.viber.com/docs/bots-api
 * @see https://developers.viber.com/docs/api/rest-bot-api/
 */
export const viber = {
  channel: "viber" as const,
  accountSchema: ViberAccount,
  secretFields: ["authToken"],
  capabilities: {
    maxTextLength: VIBER_MAX_TEXT,
    contentTypes: VIBER_CONTENT_TYPES,
    buttons: { max: VIBER_MAX_BUTTONS, maxTitleLength: VIBER_MAX_BUTTON_TITLE, maxTextLength: VIBER_MAX_TEXT },
    urlButton: { maxTitleLength: VIBER_MAX_BUTTON_TITLE, maxTextLength: VIBER_MAX_TEXT },
    maxCaptionLength: VIBER_MAX_CAPTION,
    // The Bot API has no quoted replies, reactions, typing indicators or read receipts a bot can send:
    // a quote is dropped, a reaction refused, an action answered 422.
    quotedReplies: false,
    actions: [],
    receipts: true,
    /** @see https://creators.viber.com/docs/bots-api/resources/messaging/broadcast-message (500 requests per 10 s) */
    rate: { perSecond: 50 },
  },
  normalizePeer: normalizeViberPeer,
  handshake: viberHandshake,
  verify: verifyViberWebhook,
  parse: (body) => parseViberWebhook(body),
  fetchMedia: (mediaId, account, ctx) => fetchViberMedia(mediaId, account, ctx.urlPolicy),
  /** @see https://creators.viber.com/docs/bots-api/resources/messaging/send-message */
  async send(message, peer, account) {
    const body = renderViberMessage(peer, message.content, account);
    if (!body) {
      return { kind: "failed", error: { reason: "unsupported_content", detail: `Viber cannot render '${message.content.type}'` } };
    }
    const res = await platformFetch(`${viberApiBase(account)}/send_message`, {
      method: "POST",
      headers: { "x-viber-auth-token": account.authToken, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(VIBER_SEND_TIMEOUT_MS),
    });
    return classifyViberResponse(res, await readViberBody(res));
  },
} satisfies ChannelAdapter<ViberAccount>;
