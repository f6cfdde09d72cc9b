import { classifyMessengerAnswer } from "../../../src/channels/messenger";
import { fixtures } from "../../support/fixtures";
import type { ChannelKit, PlatformRequest } from "../kit";
import { MESSENGER_ACCOUNT_ID, MESSENGER_APP_SECRET, MESSENGER_VERIFY_TOKEN } from "./account";
import { MESSENGER_CLASSIFICATION } from "./classification";
import { MESSENGER_FACTS } from "./facts";

const path = `/webhooks/messenger/${MESSENGER_ACCOUNT_ID}`;
const encoder = new TextEncoder();

/** `sha256=<hex HMAC-SHA256(secret, body)>`, as Meta signs its webhooks (computed here independently of src/). */
export async function metaSignature(secret: string, body: string | Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, typeof body === "string" ? encoder.encode(body) : body);
  return `sha256=${[...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** A webhook POST as Meta sends it, signed with `secret`. */
export async function signedRequest(body: string, secret = MESSENGER_APP_SECRET): Promise<PlatformRequest> {
  return {
    path,
    headers: { "content-type": "application/json", "x-hub-signature-256": await metaSignature(secret, body) },
    body,
  };
}

const handshake = (token: string): PlatformRequest => ({
  method: "GET",
  path: `${path}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${encodeURIComponent(token)}`,
  headers: {},
});

/** Meta signs the raw body with the app secret (`X-Hub-Signature-256`) and verifies the URL with a GET handshake. */
export const messengerKit: ChannelKit = {
  channel: "messenger",
  accountId: MESSENGER_ACCOUNT_ID,
  fixtures: fixtures("messenger"),
  signed: (body) => signedRequest(body),
  unsigned: (body) => ({ path, headers: { "content-type": "application/json" }, body }),
  wronglySigned: (body) => signedRequest(body, `${MESSENGER_APP_SECRET}-not`),
  // Signed for the body as sent, then one character changed (the unicode escapes are what Meta signs).
  tampered: async (body) => ({ ...(await signedRequest(body)), body: body.replace(/"(\d)/, '"9') }),
  handshake: {
    valid: handshake(MESSENGER_VERIFY_TOKEN),
    expect: "1158201444",
    invalid: handshake(`${MESSENGER_VERIFY_TOKEN}-wrong`),
  },
  facts: MESSENGER_FACTS,
  /**
   * Webhook fields a Page app subscribes to: messages, message_edits, message_reactions, message_deliveries,
   * message_reads, messaging_postbacks, messaging_optins, messaging_referrals, and policy enforcement.
   * @see https://developers.facebook.com/docs/messenger-platform/webhooks#event-notifications
   */
  documentedEvents: [
    "message.received",
    "message.edited",
    "message.status",
    "conversation.started",
    "conversation.referral",
    "contact.subscribed",
    "contact.unsubscribed",
    "channel.error",
  ],
  classify: (res) => classifyMessengerAnswer(res),
  classification: MESSENGER_CLASSIFICATION,
};
