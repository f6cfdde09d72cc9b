import type { ChannelAdapter, SendResult } from "../types";
import { APPLE_DEFAULT_TIMEOUT_MS, AppleAccount } from "./account";
import { signMspToken } from "./auth";
import { fetchAppleMedia } from "./download";
import { classifySendResponse } from "./errors";
import { parseAppleWebhook } from "./inbound";
import {
  APPLE_INTERACTIVE_MAX_TEXT,
  APPLE_LIST_PICKER,
  APPLE_MAX_TEXT,
  APPLE_QUICK_REPLY,
  messageUuid,
  renderAttachment,
  renderInteractive,
  renderText,
  renderTyping,
  type AppleEnvelope,
} from "./outbound";
import { uploadAttachment } from "./upload";
import { verifyAppleWebhook } from "./verify";
import { platformFetch } from "../../transport/platform-fetch";

/** The opaque id of a customer, unique per business: `urn:mbid:` and base64. */
const OPAQUE_ID = /^urn:mbid:[A-Za-z0-9+/=_-]+$/;
/** The relay keeps peers to 256 characters; Apple's opaque ids are around 170. */
const MAX_OPAQUE_ID_LENGTH = 256;

/**
 * An Apple recipient is the customer's opaque id as it came in `source-id` (`urn:mbid:...`): a business
 * cannot address anyone who has not written to it first.
 * @see https://support.apple.com/guide/security/sec1c603aab4/web (Opaque ID)
 */
export function normalizeApplePeer(raw: string): string | null {
  const id = raw.trim();
  return id.length <= MAX_OPAQUE_ID_LENGTH && OPAQUE_ID.test(id) ? id : null;
}

/**
 * Apple Messages for Business, with the relay as the Messaging Service Provider (MSP REST API).
 * @see https://register.apple.com/resources/messages/msp-rest-api/common-specs
 */
export const appleBusiness = {
  channel: "apple" as const,
  accountSchema: AppleAccount,
  secretFields: ["mspSecret"],
  capabilities: {
    maxTextLength: APPLE_MAX_TEXT,
    contentTypes: ["text", "buttons", "list", "image", "audio", "video", "document"],
    buttons: {
      max: APPLE_QUICK_REPLY.maxItems,
      maxTitleLength: APPLE_QUICK_REPLY.maxTitleLength,
      maxTextLength: APPLE_INTERACTIVE_MAX_TEXT,
    },
    list: {
      maxRows: APPLE_LIST_PICKER.maxRows,
      maxTitleLength: APPLE_LIST_PICKER.maxTitleLength,
      maxTextLength: APPLE_INTERACTIVE_MAX_TEXT,
    },
    // The caption is the text before the attachment in the same body.
    maxCaptionLength: APPLE_MAX_TEXT,
    // No quoted replies or reactions from the business: a quote is dropped, a reaction refused.
    quotedReplies: false,
    actions: ["typing_on", "typing_off"],
    // Apple reports typing and closed conversations, never delivery or read.
    receipts: false,
    /** Apple documents no send rate: a conservative default; set the account's `rate` after agreeing one with Apple. */
    rate: { perSecond: 50 },
    fetchesMedia: true,
  },
  normalizePeer: normalizeApplePeer,
  verify: (req, account) => verifyAppleWebhook(req, account),
  parse: (body, account, headers) => parseAppleWebhook(body, account, headers),
  fetchMedia: (mediaId, account, ctx) => fetchAppleMedia(mediaId, account, ctx.urlPolicy),
  /** @see https://register.apple.com/resources/messages/msp-rest-api/messages-sent */
  async send(message, peer, account, ctx): Promise<SendResult> {
    const id = await messageUuid(message.id, ctx.part);
    const env: AppleEnvelope = { id, sourceId: account.businessId, destinationId: peer };
    const token = await signMspToken(account);
    const content = message.content;
    let body: Record<string, unknown>;
    switch (content.type) {
      case "text":
        body = renderText(env, content.text);
        break;
      case "buttons":
      case "list":
        // The request identifier comes back with the customer's answer: it names this message.
        body = renderInteractive(env, content, id);
        break;
      case "image":
      case "video":
      case "audio":
      case "document": {
        const uploaded = await uploadAttachment(content, account, token, ctx.urlPolicy);
        if (uploaded.kind !== "ok") return uploaded;
        body = renderAttachment(env, uploaded.attachment, "caption" in content ? content.caption : undefined);
        break;
      }
      default:
        // Not in contentTypes: the core degrades or refuses these before they get here.
        return { kind: "failed", error: { reason: "unsupported_content", detail: `Apple cannot render ${content.type}` } };
    }
    const res = await postMessage(account, token, env, body);
    return classifySendResponse(res, await res.text(), id);
  },
  /** A typing indicator, as a message of type `typing_start` or `typing_end`. */
  async act(action, peer, account) {
    if (action.type === "mark_read") return { kind: "failed", error: { reason: "unsupported_content", detail: "Apple has no read receipts" } };
    const env: AppleEnvelope = { id: crypto.randomUUID(), sourceId: account.businessId, destinationId: peer };
    const res = await postMessage(account, await signMspToken(account), env, renderTyping(env, action.type === "typing_on"));
    const result = classifySendResponse(res, await res.text(), env.id);
    return result.kind === "ok" ? { kind: "ok" } : result;
  },
} satisfies ChannelAdapter<AppleAccount>;

/** `POST /v1/message` with the envelope's headers: every message and typing indicator goes there. */
function postMessage(account: AppleAccount, token: string, env: AppleEnvelope, body: Record<string, unknown>): Promise<Response> {
  return platformFetch(`${account.apiBaseUrl}/v1/message`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      id: env.id,
      "source-id": env.sourceId,
      "destination-id": env.destinationId,
      "content-type": "application/json",
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(account.timeoutMs ?? APPLE_DEFAULT_TIMEOUT_MS),
  });
}
