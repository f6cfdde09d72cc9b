import { classifyCloudSendResponse } from "../../../src/channels/whatsapp-cloud/errors";
import { fixtures } from "../../support/fixtures";
import type { ChannelKit } from "../kit";
import { CLOUD_ACCOUNT_ID, CLOUD_APP_SECRET, CLOUD_VERIFY_TOKEN } from "./account";

const path = `/webhooks/whatsapp-cloud/${CLOUD_ACCOUNT_ID}`;
const json = { "content-type": "application/json" };

/** `sha256=<hex HMAC-SHA256(secret, exact body bytes)>`, as Meta signs: over the raw text, escapes and all. */
export async function metaSignature(body: string, secret = CLOUD_APP_SECRET): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(body)));
  return `sha256=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

const PHONE = "16505551234";
const BSUID = "US.13491208655302741918";
const AT = "2025-06-08T20:59:43.000Z";
const IMAGE_ID = "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUE3RTIxMjhGRDc3OEJCM0QwRgA=";
const TEXT_ID = "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUZBQjQ0QkE5RjM5NzlENTQ3RQA=";
const QUOTED = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA";
/** Kerry as most fixtures name her: a phone number and a business-scoped user id. */
const kerry = {
  id: PHONE,
  name: "Kerry Fisher",
  phone: PHONE,
  identities: [
    { kind: "phone", value: PHONE },
    { kind: "business_scoped_id", value: BSUID },
  ],
};

/** A Graph API error body as the Cloud API answers a send. */
const graph = (code: number, message: string, details?: string) =>
  JSON.stringify({
    error: { message, type: "OAuthException", code, ...(details && { error_data: { messaging_product: "whatsapp", details } }), fbtrace_id: "Az8or2yhqkZfEZ-_4Qn_Bam" },
  });

const handshake = (token: string) =>
  `${path}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${encodeURIComponent(token)}`;

/** Meta signs each POST with the app secret (`X-Hub-Signature-256`) and verifies the URL with a GET handshake. */
export const whatsappCloudKit: ChannelKit = {
  channel: "whatsapp-cloud",
  accountId: CLOUD_ACCOUNT_ID,
  fixtures: fixtures("whatsapp-cloud"),
  signed: async (body) => ({ path, headers: { ...json, "x-hub-signature-256": await metaSignature(body) }, body }),
  unsigned: (body) => ({ path, headers: json, body }),
  wronglySigned: async (body) => ({
    path,
    headers: { ...json, "x-hub-signature-256": await metaSignature(body, `${CLOUD_APP_SECRET}-other`) },
    body,
  }),
  // Signed, then changed: one escaped character decoded, which JSON.parse cannot tell apart but the HMAC can.
  tampered: async (body) => ({
    path,
    headers: { ...json, "x-hub-signature-256": await metaSignature(body) },
    body: body.includes("\\u") ? body.replace(/\\u00([0-9a-f]{2})/, (_, h: string) => String.fromCharCode(parseInt(h, 16))) : body.replace("whatsapp", "whatsApp"),
  }),
  handshake: {
    valid: { method: "GET", path: handshake(CLOUD_VERIFY_TOKEN), headers: {} },
    expect: "1158201444",
    invalid: { method: "GET", path: handshake(`${CLOUD_VERIFY_TOKEN}-wrong`), headers: {} },
  },
  facts: {
    text: [{ type: "message.received", peer: PHONE, dedupeKey: `message:${TEXT_ID}`, message: { platformMessageId: TEXT_ID, timestamp: AT, sender: kerry, content: { type: "text", text: "Hello World" } } }],
    // A customer known only by a username: the business-scoped id is the peer.
    "text-bsuid": [
      {
        type: "message.received",
        peer: BSUID,
        message: {
          sender: {
            id: BSUID,
            name: "Kerry Fisher",
            username: "@kfisher",
            identities: [
              { kind: "business_scoped_id", value: BSUID },
              { kind: "parent_business_scoped_id", value: "US.ENT.11815799212886844830" },
              { kind: "username", value: "@kfisher" },
            ],
          },
        },
      },
    ],
    "text-referral": [
      {
        type: "message.received",
        message: {
          referral: {
            source: "ad",
            type: "image",
            sourceId: "120226305854810726",
            url: "https://fb.me/3cr4Wqqkv",
            headline: "Chat with us",
            body: "Summer sale: 30% off",
            mediaUrl: "https://scontent.xx.fbcdn.net/v/t45.1600-4/518949649_n.jpg",
            clickId: "ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-ZABDrf2Mt1rc_hTr0l8Sr5x-vC_FzIRg",
          },
        },
      },
    ],
    "text-forwarded": [{ type: "message.received", message: { forwarded: true, content: { type: "text", text: "Pass this on to ten friends!" } } }],
    "text-product-inquiry": [
      { type: "message.received", message: { inReplyTo: QUOTED, referredProduct: { catalogId: "194836987003835", productId: "di9ozbzfi4" } } },
    ],
    image: [{ type: "message.received", message: { content: { type: "image", mediaId: "1003383421387256", mimeType: "image/jpeg", sha256: "dIW7vRsHrKjCQB3GHiC3/cn4NykwlLhlMsCNjplG7VY=", caption: "Check out my new phone!" } } }],
    audio: [{ type: "message.received", message: { content: { type: "audio", voice: false } } }],
    voice: [{ type: "message.received", message: { content: { type: "audio", voice: true, mimeType: "audio/ogg; codecs=opus" } } }],
    sticker: [{ type: "message.received", message: { content: { type: "sticker", animated: false, mimeType: "image/webp" } } }],
    reaction: [{ type: "message.received", message: { content: { type: "reaction", emoji: "👍", platformMessageId: QUOTED } } }],
    // No emoji: the customer took the reaction back.
    "reaction-removed": [{ type: "message.received", message: { content: { type: "reaction", emoji: "", removed: true, platformMessageId: QUOTED } } }],
    edit: [
      {
        type: "message.edited",
        peer: PHONE,
        message: {
          platformMessageId: IMAGE_ID,
          timestamp: "2025-06-08T21:01:41.000Z",
          sender: kerry,
          content: { type: "image", mediaId: "1003383421387256", caption: "Check out my new phone! (the blue one)" },
        },
      },
    ],
    revoke: [{ type: "message.deleted", peer: PHONE, message: { platformMessageId: TEXT_ID, timestamp: "2025-06-08T21:03:22.000Z", sender: kerry } }],
    "request-welcome": [{ type: "conversation.started", peer: PHONE, trigger: "request_welcome", timestamp: AT, customer: kerry }],
    "user-preferences-stop": [
      {
        type: "contact.unsubscribed",
        peer: PHONE,
        topic: "marketing",
        reason: "User requested to stop marketing messages",
        timestamp: "2024-11-15T21:22:01.000Z",
        customer: { id: PHONE, phone: PHONE, identities: [{ kind: "phone", value: PHONE }] },
      },
    ],
    "user-preferences-resume": [{ type: "contact.subscribed", peer: PHONE, topic: "marketing", timestamp: "2024-11-16T21:22:01.000Z" }],
    // A number change keeps the old number as the peer and reports the new one beside it.
    system: [
      {
        type: "message.received",
        peer: PHONE,
        message: {
          sender: { id: PHONE, identities: [{ kind: "phone", value: PHONE }, { kind: "phone", value: "16505559876" }] },
          content: { type: "unsupported", platformType: "system.user_changed_number" },
        },
      },
    ],
    "status-sent": [
      {
        type: "message.status",
        peer: PHONE,
        status: {
          status: "sent",
          pricing: { billable: true, model: "PMP", category: "service", type: "free_customer_service" },
          platformConversation: { id: "8e4ad5d1b6c2e1f30ba1c1d7b5d3a9e0", category: "service", expiresAt: "2025-06-09T20:59:43.000Z" },
        },
      },
    ],
    "status-failed": [{ type: "message.status", status: { status: "failed", error: { reason: "window_closed", code: "131047" } } }],
    "status-bsuid": [{ type: "message.status", peer: BSUID, status: { status: "delivered" } }],
    errors: [{ type: "channel.error", error: { code: "131000", title: "Something went wrong" } }],
  },
  documentedEvents: [
    "message.received",
    "message.edited",
    "message.deleted",
    "message.status",
    "conversation.started",
    "contact.subscribed",
    "contact.unsubscribed",
    "channel.error",
  ],
  classify: (res, body) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    return classifyCloudSendResponse(res, parsed);
  },
  classification: [
    {
      name: "accepted",
      status: 200,
      body: '{"messaging_product":"whatsapp","contacts":[{"input":"+16505551234","wa_id":"16505551234"}],"messages":[{"id":"wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI2QjRGOTM3RTYwQUEyRjE5NkQA"}]}',
      expect: { kind: "ok" },
    },
    {
      name: "re-engagement (outside the 24-hour window)",
      status: 400,
      body: graph(131047, "(#131047) Re-engagement message", "Message failed to send because more than 24 hours have passed since the customer last replied to this number."),
      expect: { kind: "failed", reason: "window_closed" },
    },
    { name: "throughput limit, Retry-After", status: 429, headers: { "retry-after": "10" }, body: graph(130429, "(#130429) Rate limit hit"), expect: { kind: "retry", afterSeconds: 10 } },
    { name: "pair rate limit, no Retry-After", status: 400, body: graph(131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit"), expect: { kind: "retry", afterSeconds: 6 } },
    { name: "access token expired", status: 401, body: graph(190, "Error validating access token: Session has expired"), expect: { kind: "failed", reason: "auth_failed" } },
    { name: "undeliverable recipient", status: 400, body: graph(131026, "(#131026) Message Undeliverable"), expect: { kind: "failed", reason: "recipient_invalid" } },
    { name: "marketing messages stopped", status: 400, body: graph(131050, "(#131050) Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business."), expect: { kind: "failed", reason: "recipient_blocked" } },
    { name: "Meta-side fault", status: 500, body: graph(131000, "(#131000) Something went wrong"), expect: { kind: "retry" } },
  ],
};
