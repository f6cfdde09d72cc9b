import { classifySendResponse } from "../../../src/channels/whatsapp-onprem/errors";
import { WEBHOOK_SECRET } from "../../support/constants";
import { fixtures } from "../../support/fixtures";
import type { ChannelKit } from "../kit";

const path = "/webhooks/whatsapp/wa-acme";
const json = { "content-type": "application/json" };
const JERRY = "250788123123";
const jerry = { id: JERRY, name: "Jerry Cooney", phone: JERRY, identities: [{ kind: "phone", value: JERRY }] };
const errors = (code: number, title: string) => JSON.stringify({ errors: [{ code, title }], meta: { api_status: "stable", version: "2.53.1" } });

/** The On-Premises container authenticates with the account's secret in its callback URL. */
export const whatsappOnPremKit: ChannelKit = {
  channel: "whatsapp",
  accountId: "wa-acme",
  fixtures: fixtures("whatsapp"),
  signed: async (body) => ({ path: `${path}?secret=${WEBHOOK_SECRET}`, headers: json, body }),
  unsigned: (body) => ({ path, headers: json, body }),
  wronglySigned: async (body) => ({ path: `${path}?secret=${WEBHOOK_SECRET.slice(0, -1)}!`, headers: json, body }),
  // No signature covers the body; a secret for another account must not open this one.
  tampered: async (body) => ({ path: `/webhooks/whatsapp/wa-acme-access?secret=${WEBHOOK_SECRET}`, headers: json, body }),
  facts: {
    text: [{ type: "message.received", peer: JERRY, message: { sender: jerry, content: { type: "text", text: "hello world" } } }],
    "text-forwarded": [{ type: "message.received", message: { forwarded: true, content: { type: "text", text: "forwarded text" } } }],
    image: [
      {
        type: "message.received",
        message: {
          sender: jerry,
          content: { type: "image", mediaId: "b1c68f38-8734-4ad3-b4a1-ef0c10d683", mimeType: "image/jpeg", caption: "the caption" },
        },
      },
    ],
    voice: [{ type: "message.received", message: { content: { type: "audio", voice: true, mimeType: "audio/ogg; codecs=opus" } } }],
    "media-undownloaded": [
      {
        type: "message.received",
        message: { content: { type: "document", filename: "big.pdf", available: false, unavailableReason: "undownloaded" } },
      },
    ],
    button: [{ type: "message.received", message: { inReplyTo: "gBGGFlB5hjl6AgkqQ5Rw8CqSGL8", content: { type: "reply", source: "template_button" } } }],
    // A number change keeps the old number as the peer and reports the new one beside it.
    system: [
      {
        type: "message.received",
        peer: JERRY,
        message: {
          sender: { id: JERRY, identities: [{ kind: "phone", value: JERRY }, { kind: "phone", value: "250788123124" }] },
          content: { type: "unsupported", platformType: "system.user_changed_number" },
        },
      },
    ],
    "status-delivered": [
      {
        type: "message.status",
        peer: "16315551234",
        status: {
          platformMessageId: "gBEGkYiEB1VXAglK1ZEqA1YKPrU",
          status: "delivered",
          pricing: { billable: true, model: "CBP", category: "user_initiated" },
          platformConversation: { id: "532b57b5f6e63595ccd74c6010e5c5c7", category: "user_initiated", expiresAt: "2018-02-16T11:38:20.000Z" },
        },
      },
    ],
    "status-failed": [{ type: "message.status", status: { status: "failed", error: { reason: "window_closed", code: "470" } } }],
    "status-deleted": [
      {
        type: "message.deleted",
        peer: JERRY,
        dedupeKey: "status:ABGGFlA5FpafAgo6EhgL0gHNV4SSgP9a2mjh:deleted",
        message: { platformMessageId: "ABGGFlA5FpafAgo6EhgL0gHNV4SSgP9a2mjh", timestamp: "2016-01-30T01:59:02.000Z", sender: { id: JERRY } },
      },
    ],
    "user-preference-stop": [
      {
        type: "contact.unsubscribed",
        peer: JERRY,
        topic: "marketing",
        reason: "User requested to stop marketing messages",
        timestamp: "2024-11-15T21:22:01.000Z",
        customer: jerry,
      },
    ],
    "user-preference-resume": [{ type: "contact.subscribed", peer: JERRY, topic: "marketing", customer: { id: JERRY } }],
    errors: [{ type: "channel.error", error: { code: "1014", title: "Internal error" } }],
  },
  documentedEvents: ["message.received", "message.deleted", "message.status", "contact.subscribed", "contact.unsubscribed", "channel.error"],
  classify: (res, body) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    return classifySendResponse(res, parsed);
  },
  classification: [
    { name: "accepted", status: 200, body: '{"messages":[{"id":"gBEGkYiEB1VXAglK1ZEqA1YKPrU"}]}', expect: { kind: "ok" } },
    { name: "outside the 24-hour window", status: 400, body: errors(470, "Failed to send message because you are outside the support window for freeform messages to this user."), expect: { kind: "failed", reason: "window_closed" } },
    { name: "too many requests, Retry-After", status: 429, headers: { "retry-after": "30" }, body: errors(1015, "Too many requests"), expect: { kind: "retry", afterSeconds: 30 } },
    { name: "login refused", status: 401, body: "", expect: { kind: "failed", reason: "auth_failed" } },
    { name: "access denied", status: 403, body: errors(1005, "Access denied"), expect: { kind: "failed", reason: "auth_failed" } },
    { name: "not a WhatsApp user", status: 400, body: errors(1013, "User is not valid"), expect: { kind: "failed", reason: "recipient_invalid" } },
    { name: "container overloaded", status: 503, headers: { "retry-after": "5" }, body: errors(1014, "Internal error"), expect: { kind: "retry", afterSeconds: 5 } },
    { name: "spam rate limit", status: 400, body: errors(471, "Spam rate limit hit"), expect: { kind: "failed", reason: "rate_limited" } },
  ],
};
